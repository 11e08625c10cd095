/**
 * The store layer: the {@linkcode ObjectStore} interface, the directory store
 * {@linkcode FsStore}, and {@linkcode openStore}, which picks an
 * implementation from a root URI.
 *
 * `S3Store` is deliberately not re-exported here: a static export would load
 * the S3 implementation (and the AWS SDK) for everyone importing this module.
 * `openStore("s3://…")` loads it on demand; import `./s3.ts` directly to use
 * the class itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openStore } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const store = await openStore(dir);
 * await store.put("x", new Uint8Array([1, 2, 3]));
 * assert((await store.head("x"))?.size === 3);
 * await store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export type * from "./types.ts";
export { FsStore } from "./fs.ts";
export { openStore } from "./open.ts";
export type { StoreOptions } from "./open.ts";
export type { S3StoreOptions } from "./s3.ts";
