/**
 * Reads and writes one object named by a full URI (`s3://bucket/key`,
 * `file:///dir/name`, or a local path), for backups kept outside the
 * repository's own store.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { signalOption, untilAborted } from "../abort_hub.ts";
import {
  IntegrityError,
  InvalidInputError,
  IsDirectoryError,
  NotFoundError,
  PreconditionFailedError,
} from "../errors.ts";
import type { ObjectInfo, ObjectStore, PutBody } from "../store/types.ts";
import { type DownloadedObject, downloadToFile } from "../store/download.ts";
import { forUserFiles, type StoreOptions } from "../store/open.ts";
import { storedProblem } from "../upload_check.ts";
import { parseUri, toStoreUri } from "../uri.ts";
import { fileAbove } from "../file_status.ts";
import { fileKind } from "../regular_file.ts";
import { BACKUP_URI } from "../command_words.ts";

/** Opens a store; `options` say what the use needs (an opener may ignore them). */
type Opener = (uri: string, options?: StoreOptions) => Promise<ObjectStore>;

function split(uri: string): { root: string; key: string } {
  const parsed = parseUri(uri);
  if (parsed.scheme === "s3") {
    if (parsed.key === "" || parsed.key.endsWith("/")) {
      throw new InvalidInputError(`${uri} names no object (expected s3://bucket/key)`);
    }
    return { root: `s3://${parsed.bucket}`, key: parsed.key };
  }
  const path = resolve(parsed.path);
  const dir = dirname(path);
  if (dir === path || basename(path) === "") {
    throw new InvalidInputError(`${uri} names no file in a directory (expected DIR/NAME)`);
  }
  // A URI, not `file://` + the raw path: `#`, `?` and `%` in a directory
  // name would otherwise end the path or be decoded (`a#b/x` wrote `a/x`).
  const root = toStoreUri(dir);
  if (/^file:\/\/\/?$/i.test(root)) {
    throw new InvalidInputError(
      `${uri}: a file directly in the file system root is not supported; use a directory`,
    );
  }
  return { root, key: basename(path) };
}

/** An object being read: its body and info; disposing of it closes its store. */
export interface OpenedObject extends AsyncDisposable {
  /** The object's bytes, to read (or cancel) before disposing. */
  body: ReadableStream<Uint8Array>;
  /** Its size, as the store states it. */
  size: number;
  /** What the store states of it (its ETag, metadata, checksums). */
  info: ObjectInfo;
}

/**
 * Opens the object at `uri` for reading, as a stream: a snapshot of any
 * size is never held in memory whole. A `file://` object is the user's file
 * (a backup kept anywhere): its directory is opened with `forUserFiles`, so
 * reading it writes no sidecar beside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openObjectUri, writeObjectUri } from "./object_uri.ts";
 * import { openStore } from "../store/open.ts";
 * const dir = await Deno.makeTempDir();
 * await writeObjectUri(`${dir}/x.bin`, new Uint8Array([7]), openStore);
 * {
 *   await using object = await openObjectUri(`${dir}/x.bin`, openStore);
 *   assert.deepEqual([...await new Response(object.body).bytes()], [7]);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openObjectUri(
  uri: string,
  open: Opener,
  signal?: AbortSignal,
): Promise<OpenedObject> {
  const { root, key } = split(uri);
  const store = await untilAborted(open(root, forUserFiles()), signal, (late) => late.close());
  let opened = false;
  try {
    const { body, info } = await store.get(key, signal === undefined ? {} : { signal });
    opened = true;
    return {
      body,
      size: info.size,
      info,
      async [Symbol.asyncDispose]() {
        await body.cancel().catch(() => {}); // read to its end already, or given up
        await store.close();
      },
    };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    // A directory (a local one; an S3 prefix holding objects) given for the
    // file in it: said so, not "not found" of a name the user sees right there.
    const directory = error instanceof IsDirectoryError || await holdsObjectsUnder(store, key);
    if (!directory) throw error;
    throw new InvalidInputError(
      `${uri} is a directory, not a file: give the snapshot file in it (${BACKUP_URI.library}, ` +
        "e.g. DIR/catalog-….jsonl.gz)",
      { cause: error },
    );
  } finally {
    if (!opened) await store.close();
  }
}

/**
 * Downloads the object at `uri` to the file `dest`, verified against what
 * the store states of it (size, ETag, `vc-md5`, checksums) and fetched
 * again when its bytes come damaged, as every download of vc
 * ({@linkcode downloadToFile}): an `IntegrityError` names what did not match.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadObjectUri, writeObjectUri } from "./object_uri.ts";
 * import { openStore } from "../store/open.ts";
 * const dir = await Deno.makeTempDir();
 * await writeObjectUri(`${dir}/x.bin`, new Uint8Array([7]), openStore);
 * await downloadObjectUri(`${dir}/x.bin`, openStore, `${dir}/y.bin`);
 * assert.deepEqual([...await Deno.readFile(`${dir}/y.bin`)], [7]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function downloadObjectUri(
  uri: string,
  open: Opener,
  dest: string,
  options: { signal?: AbortSignal; onBytes?: (bytes: number, total: number) => void } = {},
): Promise<DownloadedObject> {
  const { root, key } = split(uri);
  const signal = options.signal;
  const store = await untilAborted(open(root, forUserFiles()), signal, (late) => late.close());
  try {
    return await downloadToFile(store, key, dest, {
      uri,
      mode: 0o600,
      ...(signal === undefined ? {} : { signal }),
      ...(options.onBytes === undefined
        ? {}
        : { onProgress: (p) => options.onBytes!(p.bytes, p.total) }),
    });
  } finally {
    await store.close();
  }
}

/**
 * Writes `bytes` as a new object at `uri`, never over an existing one: a
 * backup destination typed wrong (the repository's marker, a content object,
 * the SQLite catalog) must not destroy what is there.
 */
export async function writeObjectUri(
  uri: string,
  bytes: PutBody,
  open: Opener,
  signal?: AbortSignal,
  onProgress?: (bytesSent: number) => void,
): Promise<void> {
  const { key } = split(uri);
  await withDestStore(uri, open, signal, async (store) => {
    try {
      await store.put(key, bytes, {
        contentType: "application/gzip",
        ifNoneMatch: "*",
        ...(signal === undefined ? {} : { signal }),
        ...(onProgress === undefined ? {} : { onProgress }),
      });
      await confirmBackupStored(store, key, uri, await bodySize(bytes), signal);
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      throw takenDest(uri, error);
    }
  });
}

/**
 * Refuses, before a backup's snapshot is taken (minutes on a catalog of
 * millions), a destination {@linkcode writeObjectUri} would refuse after
 * it: a directory (a local one, or an S3 prefix holding objects) or an
 * object already there (a HEAD the store refuses leaves that to the
 * create-only write, which also refuses one written meanwhile).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openStore } from "../store/open.ts";
 * import { refuseTakenDest } from "./object_uri.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/b.gz`, "mine");
 *   await refuseTakenDest(`${dir}/new.gz`, openStore);
 *   await assert.rejects(refuseTakenDest(`${dir}/b.gz`, openStore), /already exists/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function refuseTakenDest(
  uri: string,
  open: Opener,
  signal?: AbortSignal,
): Promise<void> {
  const { key } = split(uri);
  await withDestStore(uri, open, signal, async (store) => {
    const there = await store.head(key, signalOption(signal)).catch((error) => {
      if (signal?.aborted) throw error;
      return undefined;
    });
    if (there !== undefined) throw takenDest(uri);
  });
}

// Runs `fn` on the store of a backup destination `uri` once it is known to
// name no directory: a local `DIR/` (or a directory that exists) names no
// file (resolved, the slash was dropped, and the backup became a file named
// DIR, or a key conflict in DIR's parent), nor does an S3 prefix that holds
// objects, the directory of a file store (the backup was written as an
// object beside them, `kept` next to `kept/…`, which no copy of the bucket
// to a disk can hold). A credential that may write but not list (a backup
// bucket's policy) writes as before.
async function withDestStore(
  uri: string,
  open: Opener,
  signal: AbortSignal | undefined,
  fn: (store: ObjectStore) => Promise<void>,
): Promise<void> {
  const { root, key } = split(uri);
  const parsed = parseUri(uri);
  if (parsed.scheme !== "s3") {
    let info: Deno.FileInfo | undefined;
    try {
      info = await Deno.stat(parsed.path);
    } catch (error) {
      // Under a file (`out.gz/b.gz`): the store's root could not be made,
      // which the write found once the whole snapshot was taken.
      const file = error instanceof Deno.errors.NotADirectory ? fileAbove(parsed.path) : undefined;
      if (file !== undefined) {
        throw new InvalidInputError(
          `${uri}: a file is where one of its directories belongs: ${file}; give a DEST in a directory`,
        );
      }
    }
    const isDir = parsed.path.endsWith("/") ||
      (Deno.build.os === "windows" && parsed.path.endsWith("\\")) || info?.isDirectory === true;
    if (isDir) throw directoryDest(uri);
    // A FIFO, socket or device is no file a backup is written as (nor
    // replaces): refused by the create-only write, after the snapshot.
    if (info !== undefined && !info.isFile) {
      throw new InvalidInputError(
        `${uri} is not a regular file but ${fileKind(info)}; a backup is written as a new file`,
      );
    }
  }
  // A local backup is the user's file: nothing of vc's is left beside it.
  const store = await open(root, forUserFiles());
  try {
    if (
      parsed.scheme === "s3" &&
      await holdsObjectsUnder(store, key, signal).catch((error) => {
        if (signal?.aborted) throw error;
        return false;
      })
    ) throw directoryDest(uri);
    await fn(store);
  } finally {
    await store.close();
  }
}

// The refusal of a backup destination that holds an object already.
function takenDest(uri: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(
    `${uri} already exists; a backup never replaces an object, give a new name`,
    cause === undefined ? undefined : { cause },
  );
}

// The refusal of a backup destination that is a directory (a local one, or
// an S3 prefix holding objects).
function directoryDest(uri: string): InvalidInputError {
  return new InvalidInputError(
    `${uri} names a directory, not a file: give the backup's file name in it ` +
      "(e.g. DIR/catalog.jsonl.gz), or omit it for backups/ in the repository",
  );
}

// Whether `store` holds an object under `key/`: `key` is a directory of it.
async function holdsObjectsUnder(
  store: ObjectStore,
  key: string,
  signal?: AbortSignal,
): Promise<boolean> {
  for await (const _ of store.list(`${key}/`, { etags: false, ...signalOption(signal) })) {
    return true;
  }
  return false;
}

/** The size of `bytes` where it is known before it is read. */
async function bodySize(bytes: PutBody): Promise<number | undefined> {
  if (bytes instanceof Uint8Array) return bytes.length;
  if (bytes instanceof ReadableStream) return undefined;
  return (await Deno.stat(bytes.path)).size;
}

/**
 * Throws `IntegrityError` unless the backup just put at `key` is there, of
 * `size` bytes: a gateway or proxy that answers a PUT 200 and
 * keeps nothing would otherwise have its URI printed as a backup that
 * exists (found missing at restore time, when it is needed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confirmBackupStored } from "./object_uri.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * const store = new MemoryStore();
 * await store.put("b.gz", new Uint8Array([1]));
 * await confirmBackupStored(store, "b.gz", "mem://b.gz", 1);
 * await assert.rejects(confirmBackupStored(store, "x.gz", "mem://x.gz", 1), /missing/);
 * ```
 */
export async function confirmBackupStored(
  store: ObjectStore,
  key: string,
  uri: string,
  size: number | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const problem = await storedProblem(store, key, { size }, signal);
  if (problem === undefined) return;
  throw new IntegrityError(
    `backup ${uri} could not be verified after its upload: ${problem}; it is no backup to ` +
      "rely on (the store, or a proxy on the way, acknowledged the write without keeping it): " +
      "run the backup again",
  );
}

/**
 * The object `uri` names, as `root/key` (a local path becomes a `file://`
 * URI), for comparing locations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { objectLocation } from "./object_uri.ts";
 * assert.equal(objectLocation("s3://b/k/x.gz"), "s3://b/k/x.gz");
 * assert.equal(objectLocation("/tmp/a/../x.gz"), "file:///tmp/x.gz");
 * ```
 */
export function objectLocation(uri: string): string {
  const { root, key } = split(uri);
  return `${root.replace(/\/+$/, "")}/${key}`;
}
