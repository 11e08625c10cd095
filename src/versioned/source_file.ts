/**
 * The file a `vc add` / `vc update` publishes: its digests (MD5 for the
 * store's checks, SHA-256 for the integrity lock) from one read, and the
 * stat identity that proves the bytes sent are the bytes hashed.
 *
 * A file edited while it is uploaded (a multipart upload reads its parts at
 * different times) would otherwise be published with metadata that does not
 * describe its content. The publisher takes a {@linkcode snapshotSource}
 * before hashing and calls {@linkcode assertUnchanged} after the upload: size,
 * mtime, ctime and inode must not have moved, else the upload is refused.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";

/** The digests and size of a file, from one read. */
export interface SourceDigest {
  /** Byte count. */
  size: number;
  /** Hex MD5. */
  md5: string;
  /** Hex SHA-256. */
  sha256: string;
}

/** A file's stat identity at one moment. */
export interface SourceSnapshot {
  /** The file's path. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** `size`, `mtime`, `ctime`, `ino` and `dev` as one comparable string. */
  identity: string;
}

/**
 * The file changed between the moment vc hashed it and the end of its
 * upload; what was uploaded is not what was hashed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SourceChangedError } from "./source_file.ts";
 * import { InvalidInputError } from "../errors.ts";
 * assert(new SourceChangedError("x") instanceof InvalidInputError);
 * ```
 */
export class SourceChangedError extends InvalidInputError {}

/**
 * The stat identity of `path` now.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { snapshotSource } from "./source_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a`, "abc");
 *   assert.equal((await snapshotSource(`${dir}/a`)).size, 3);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function snapshotSource(path: string): Promise<SourceSnapshot> {
  const info = await Deno.stat(path);
  const identity = [
    info.size,
    info.mtime?.getTime(),
    info.ctime?.getTime(),
    info.ino,
    info.dev,
  ].join(":");
  return { path, size: info.size, identity };
}

/**
 * Throws {@linkcode SourceChangedError} when `path`'s stat identity differs
 * from `snapshot` (or the file is gone); `what` says what was being done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertUnchanged, SourceChangedError, snapshotSource } from "./source_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a`, "abc");
 *   const before = await snapshotSource(`${dir}/a`);
 *   await assertUnchanged(before, "upload");
 *   await Deno.writeTextFile(`${dir}/a`, "abcd");
 *   await assert.rejects(() => assertUnchanged(before, "upload"), SourceChangedError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function assertUnchanged(snapshot: SourceSnapshot, what: string): Promise<void> {
  const now = await snapshotSource(snapshot.path).catch(() => undefined);
  if (now?.identity === snapshot.identity) return;
  throw new SourceChangedError(
    `${snapshot.path} changed during the ${what} (${
      now === undefined
        ? "it is gone"
        : now.size !== snapshot.size
        ? `size ${snapshot.size} -> ${now.size}`
        : "modified"
    }); finish writing it and run the command again`,
  );
}

/**
 * The error for a file that read as `bytes` bytes where `snapshot` stated
 * another size. Usually the file changed meanwhile: a `SourceChangedError`
 * with `changed`, its message (run again). When its stat is still exactly the
 * snapshot's, its stated size is not what it reads (a file of /proc or /sys,
 * some FUSE file systems): no re-run helps, so the error says to publish a
 * copy instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SourceChangedError, sizeMismatchError, snapshotSource } from "./source_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a`, "abc");
 *   const before = await snapshotSource(`${dir}/a`);
 *   const same = await sizeMismatchError(before, 9, "changed");
 *   assert(!(same instanceof SourceChangedError) && /reads as 9 bytes/.test(same.message));
 *   await Deno.writeTextFile(`${dir}/a`, "abcd");
 *   assert(await sizeMismatchError(before, 4, "changed") instanceof SourceChangedError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function sizeMismatchError(
  snapshot: SourceSnapshot,
  bytes: number,
  changed: string,
): Promise<InvalidInputError> {
  const now = await snapshotSource(snapshot.path).catch(() => undefined);
  if (now?.identity !== snapshot.identity) return new SourceChangedError(changed);
  return new InvalidInputError(
    `${snapshot.path} reads as ${bytes} bytes, but its size says ${snapshot.size} and did not ` +
      `change: a file of /proc, /sys or another pseudo file system, which vc cannot check ` +
      `while it uploads; copy it to a regular file and give that`,
  );
}

/**
 * MD5 and SHA-256 of `path` from one read (abortable between chunks;
 * `onProgress` gets the bytes read so far after each).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestSource } from "./source_file.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a`, "abc");
 *   const d = await digestSource(`${dir}/a`);
 *   assert.equal(d.md5, "900150983cd24fb0d6963f7d28e17f72");
 *   assert.equal(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function digestSource(
  path: string,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
): Promise<SourceDigest> {
  // Loaded on first use (as node:crypto was): a module that imports this one
  // for its snapshots does not load the hashing code.
  const [{ hashFileWith }, { StreamHasher }] = await Promise.all([
    import("../hash.ts"),
    import("../verify.ts"),
  ]);
  const { hash, bytes } = await hashFileWith(
    path,
    (size) => new StreamHasher(Infinity, 0, true, size),
    options,
  );
  const { md5, sha256 } = hash.finish();
  return { size: bytes, md5: md5!, sha256: sha256! };
}
