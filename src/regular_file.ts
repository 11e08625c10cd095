/**
 * The one check that a local input is a regular file, before it is read
 * whole (uploaded, published): a device (`/dev/zero`) or a FIFO would be
 * read forever (or block), a directory cannot be read as one file.
 *
 * @module
 */
import { AccessDeniedError, asAccessDenied, InvalidInputError, NotFoundError } from "./errors.ts";
import { isNameTooLong, tooLongReason } from "./name_too_long.ts";
import { shortened } from "./printable.ts";

/**
 * The status of `path` when it is a regular file (symbolic links followed)
 * that this process may read; else `NotFoundError` (missing, or a symbolic
 * link to nothing), `InvalidInputError` (a directory, device, FIFO...) or
 * `AccessDeniedError` (no permission to look at it or to read it), each
 * naming `what` and the path, before any byte of it is uploaded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regularFile } from "./regular_file.ts";
 * import { InvalidInputError, NotFoundError } from "./errors.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/a.csv`, "x");
 *   assert.equal((await regularFile(`${dir}/a.csv`, "input")).size, 1);
 *   await assert.rejects(regularFile(dir, "input"), InvalidInputError);
 *   await assert.rejects(regularFile(`${dir}/missing`, "input"), NotFoundError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function regularFile(path: string, what: string): Promise<Deno.FileInfo> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      const target = await Deno.readLink(path).catch(() => undefined);
      throw new NotFoundError(
        target === undefined
          ? `${what}: ${path} does not exist`
          : `${what}: ${path} is a symbolic link to ${target}, which does not exist`,
        { cause },
      );
    }
    if (cause instanceof Deno.errors.PermissionDenied) {
      throw new AccessDeniedError(`${what}: ${path} cannot be read (permission denied)`, { cause });
    }
    // A script's --allow-read that leaves it out: Deno named the flag, not the path.
    const notAllowed = asAccessDenied(cause, what, path);
    if (notAllowed !== undefined) throw notAllowed;
    if (isNameTooLong(cause)) {
      throw new InvalidInputError(`${what}: ${shortened(path)} ${tooLongReason(path)}`, { cause });
    }
    // `ln -s loop loop`: the OS's words named the path, not what it was for.
    if (cause instanceof Deno.errors.FilesystemLoop) {
      throw new InvalidInputError(`${what}: ${path}: ${LINK_LOOP}`, { cause });
    }
    throw cause;
  }
  if (!info.isFile) throw new InvalidInputError(`${what}: ${path} is not a regular file`);
  // A file this process may not read is refused here, naming what it was
  // for, not by a bare OS error later (opening a regular file does not block).
  try {
    (await Deno.open(path, { read: true })).close();
  } catch (cause) {
    if (cause instanceof Deno.errors.PermissionDenied) {
      throw new AccessDeniedError(`${what}: ${path} cannot be read (permission denied)`, { cause });
    }
    throw cause;
  }
  return info;
}

/** How a loop of symbolic links is named in messages (the words of the OS and of `curl`). */
export const LINK_LOOP = "too many levels of symbolic links";

/**
 * The bytes of `path` (symbolic links followed), read whole, when it is a
 * regular file of at most `maxBytes`; synchronous, for small files read on
 * the way (settings, sidecars, the AWS config file). It is looked at before
 * it is opened: opening a FIFO blocks until something writes to it (the
 * main thread with it, deaf to Ctrl-C), and a device (`/dev/zero`) or a
 * huge file would be read until memory ran out. Throws Deno's `NotFound`
 * when it is missing, and `InvalidInputError` saying what it is otherwise
 * ("a directory", "not a regular file (a FIFO or device?)", "larger than N
 * bytes"), for the caller to name the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSmallFileSync } from "./regular_file.ts";
 * import { InvalidInputError } from "./errors.ts";
 * const dir = Deno.makeTempDirSync();
 * try {
 *   Deno.writeTextFileSync(`${dir}/a.json`, "{}");
 *   assert.equal(readSmallFileSync(`${dir}/a.json`, 10).length, 2);
 *   assert.throws(() => readSmallFileSync(`${dir}/a.json`, 1), /larger than 1 bytes/);
 *   assert.throws(() => readSmallFileSync(dir, 10), InvalidInputError);
 *   assert.throws(() => readSmallFileSync("/dev/zero", 10), /not a regular file/);
 *   assert.throws(() => readSmallFileSync(`${dir}/missing`, 10), Deno.errors.NotFound);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function readSmallFileSync(path: string, maxBytes: number): Uint8Array {
  const info = Deno.statSync(path);
  if (!info.isFile) {
    throw new InvalidInputError(
      info.isDirectory ? "a directory" : "not a regular file (a FIFO or device?)",
    );
  }
  const tooLarge = () => new InvalidInputError(`larger than ${maxBytes} bytes`);
  if (info.size > maxBytes) throw tooLarge();
  const bytes = Deno.readFileSync(path);
  // It grew between the look and the read.
  if (bytes.length > maxBytes) throw tooLarge();
  return bytes;
}

/**
 * What is at `path` (symbolic links followed) when it is there and is not a
 * regular file: "a directory", "a FIFO", "a socket" or "a device", for a
 * message that says why a path that exists cannot be used as a file.
 * Undefined for a regular file, and for a path that is missing or cannot be
 * looked at (the caller's own error says so).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notRegularFileKind } from "./regular_file.ts";
 * const dir = Deno.makeTempDirSync();
 * try {
 *   Deno.writeTextFileSync(`${dir}/a`, "x");
 *   assert.equal(notRegularFileKind(`${dir}/a`), undefined);
 *   assert.equal(notRegularFileKind(dir), "a directory");
 *   assert.equal(notRegularFileKind(`${dir}/missing`), undefined);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function notRegularFileKind(path: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return undefined;
  }
  return info.isFile ? undefined : fileKind(info);
}

/**
 * What `info` describes, in words for a message: "a file", "a directory",
 * "a symbolic link" (from an `lstat`), "a FIFO", "a socket" or "a device".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileKind } from "./regular_file.ts";
 * assert.equal(fileKind(Deno.statSync(Deno.cwd())), "a directory");
 * ```
 */
export function fileKind(info: Deno.FileInfo): string {
  return info.isFile
    ? "a file"
    : info.isDirectory
    ? "a directory"
    : info.isSymlink
    ? "a symbolic link"
    : info.isFifo
    ? "a FIFO"
    : info.isSocket
    ? "a socket"
    : "a device";
}
