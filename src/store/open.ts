/**
 * Opens the {@linkcode ObjectStore} a root URI names. The S3 implementation
 * (and with it the AWS SDK) is loaded with a dynamic `import()` only when an
 * `s3://` URI is opened, so code that only touches local stores or a warm
 * cache never pays for loading it.
 *
 * @module
 */
import { resolve } from "../path.ts";
import { InvalidInputError } from "../errors.ts";
import { checkDotSegments, parseStoreRoot } from "../uri.ts";
import { checkOptions } from "../options_check.ts";
import { checkStoreOptions, STORE_OPTIONS } from "./store_options_check.ts";
// Type-only: erased at runtime, so it does not load s3.ts.
import type { S3StoreOptions } from "./s3.ts";
import type { FsStoreOptions } from "./fs.ts";
import type { ObjectStore } from "./types.ts";

/** Options for {@linkcode openStore}, per kind of store. */
export interface StoreOptions {
  /** Connection options for `s3://` roots (bucket and prefix come from the URI). */
  s3?: Omit<S3StoreOptions, "bucket" | "prefix"> | undefined;
  /**
   * Options for `file://` and directory roots: `{ sidecars: "read-only" }`
   * for a directory that is the user's rather than vc's (see `FsStoreOptions`).
   */
  file?: FsStoreOptions | undefined;
}

/**
 * Opens the store rooted at `rootUri`:
 * - `s3://bucket` or `s3://bucket/prefix` → an `S3Store` (keys are relative
 *   to the prefix), configured by `options.s3` and the environment;
 * - `file:///dir` or a plain directory path (relative to the working
 *   directory) → an {@linkcode FsStore}.
 *
 * Throws `InvalidInputError` naming the URI for unknown schemes and malformed
 * URIs. Close the store when done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openStore } from "./open.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const store = await openStore(`file://${dir}`);
 *   await store.put("hello.txt", new TextEncoder().encode("hi"));
 *   assert((await store.head("hello.txt"))?.size === 2);
 *   await store.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function openStore(
  rootUri: string,
  options: StoreOptions = {},
): Promise<ObjectStore & AsyncDisposable> {
  // Both stores' options, whatever the root: a script that opens either from
  // a setting finds a misspelt one before the setting names that store.
  checkStoreOptions("openStore", options);
  const parsed = parseStoreRoot(rootUri);
  switch (parsed.scheme) {
    case "s3": {
      const { S3Store } = await import("./s3.ts");
      const s3Options: S3StoreOptions = { ...options.s3, bucket: parsed.bucket };
      // The key as written: `s3://b//data` is refused (an empty segment), as
      // every command refuses it, not taken for `s3://b/data`.
      checkDotSegments(parsed.key, `s3://${parsed.bucket}`, "prefix");
      if (parsed.key !== "") s3Options.prefix = parsed.key;
      return new S3Store(s3Options);
    }
    case "file":
    case "local": {
      // Loaded when used, like s3.ts: `vc path` on a warm cache opens no store.
      const { FsStore } = await import("./fs.ts");
      return new FsStore(
        parsed.scheme === "file" ? parsed.path : resolve(parsed.path),
        options.file,
      );
    }
    default:
      throw new InvalidInputError(`unsupported store location ${JSON.stringify(rootUri)}`);
  }
}

/**
 * `options` for opening the directory of a file that is the user's, not
 * vc's (a `file://` source the cache reads, a backup file restored from):
 * its sidecars are used when valid but never written, so reading it leaves
 * nothing beside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forUserFiles } from "./open.ts";
 * assert.deepEqual(forUserFiles({}), { file: { sidecars: "read-only" } });
 * ```
 */
export function forUserFiles(options: StoreOptions = {}): StoreOptions {
  checkOptions("forUserFiles()", options, STORE_OPTIONS);
  return { ...options, file: { ...options.file, sidecars: "read-only" } };
}
