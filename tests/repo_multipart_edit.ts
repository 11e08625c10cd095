/**
 * Shared setup of the `repo add` tests of a file changed while its multipart
 * upload runs: a repository whose uploads go in 64 KiB parts, one at a time,
 * a four-part file, and the edit made once the upload has started; and the
 * repository uploading in parts other multipart tests start from, and an
 * object put in parts as another tool would (the adopt tests).
 */
import { join } from "node:path";
import { Repository } from "../src/repo/mod.ts";
import { openStore, type StoreOptions } from "../src/store/open.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { assert } from "./assert.ts";

/** The part size (and multipart threshold) of {@linkcode multipartRepo}. */
export const PART = 64 * 1024;

/**
 * A repository at `s3://b/repo` of the fake S3 `s3` (catalog in `dir`),
 * uploading in parts of {@linkcode PART}, one at a time, with no retries;
 * and `dir/a.bin`, four parts of 1s.
 */
export async function multipartRepo(
  s3: { url: string },
  dir: string,
): Promise<{ repo: Repository; file: string }> {
  const file = join(dir, "a.bin");
  await Deno.writeFile(file, new Uint8Array(4 * PART).fill(1));
  const repo = await partedRepo(s3, dir, { concurrency: 1 });
  return { repo, file };
}

/**
 * A new repository at `s3://b/repo` of the fake S3 `s3` (SQLite catalog in
 * `dir`), uploading anything past {@linkcode PART} in parts of that size,
 * with no retries (and `extra`'s S3 options).
 */
export function partedRepo(
  s3: { url: string },
  dir: string,
  extra: Partial<NonNullable<StoreOptions["s3"]>> = {},
): Promise<Repository> {
  const store = testS3Options(s3, {
    maxAttempts: 1,
    multipartThreshold: PART,
    partSize: PART,
    ...extra,
  });
  return Repository.init("s3://b/repo", {
    catalog: `sqlite:${join(dir, "c.sqlite")}`,
    openStore: (u: string) => openStore(u, store),
  });
}

/**
 * `dir/a.bin`, four parts of 7s, put at `key` of `repo`'s store (made by
 * {@linkcode partedRepo}, so in parts) with `metadata`, as another tool
 * would: the bytes, the file, and the object's head, whose ETag is checked
 * to be a multipart one (the parts' MD5, not the content's).
 */
export async function putInParts(
  repo: Repository,
  dir: string,
  key: string,
  metadata?: Record<string, string>,
): Promise<{ bytes: Uint8Array; file: string; info: ObjectInfo }> {
  const bytes = new Uint8Array(4 * PART).fill(7);
  const file = join(dir, "a.bin");
  await Deno.writeFile(file, bytes);
  await repo.store.put(key, { path: file }, metadata === undefined ? {} : { metadata });
  const info = await repo.store.head(key);
  assert(info !== undefined && info.etag.includes("-"), `a multipart ETag: ${info?.etag}`);
  return { bytes, file, info };
}

/**
 * An `onProgress` for `repo.add` of `file` that, at the first bytes sent,
 * rewrites 1 KiB of its last part (same size: that part is read after the
 * edit); `edited()` says whether it did.
 */
export function editLastPartOnce(
  file: string,
): { onProgress: (sent: number) => void; edited: () => boolean } {
  let edited = false;
  return {
    onProgress: (sent) => {
      if (edited || sent === 0) return;
      edited = true;
      const f = Deno.openSync(file, { write: true });
      f.seekSync(3 * PART, Deno.SeekMode.Start);
      f.writeSync(new Uint8Array(1024).fill(2));
      f.close();
    },
    edited: () => edited,
  };
}
