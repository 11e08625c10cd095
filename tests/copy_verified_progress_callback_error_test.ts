/**
 * `AssetCache.copyVerified` calls the caller's `onProgress` (the copy) and
 * `onCheckProgress` (a second read of the cached copy, for a multipart ETag
 * of part sizes not recorded). What they threw went through the copy's own
 * error wording: a Deno permission error or a full disk from the caller's
 * callback (a progress file it writes) read "cannot write DEST: permission
 * denied…" or "…no space left on that device", sending the user to DEST.
 * They are `CallbackError`s naming the callback, as `onWritten`'s are; DEST
 * is left as it was and the cached copy stays cached.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { CallbackError } from "../src/errors.ts";
import { md5File, multipartEtag } from "../src/hash.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { writtenLongAgo } from "./finished_file.ts";

const MiB = 1024 * 1024;

/** What the callbacks throw: errors the copy itself could meet writing DEST. */
const THROWN: Array<[string, () => Error]> = [
  ["a permission error", () => new Deno.errors.PermissionDenied("Permission denied (os error 13)")],
  [
    "a full disk",
    () => Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" }),
  ],
];

// Uploaded in 3 parts of SIZE / 3 bytes: the 1 MiB parts the check hashes
// as it copies are its first guess, wrong, so it reads the copy again.
const SIZE = 2 * MiB + 1;
const PART = Math.ceil(SIZE / 3);

/**
 * A cached copy whose record holds the multipart ETag of parts of an
 * unusual size, and no part sizes: the check reads it again
 * (`onCheckProgress`).
 */
async function setUp(root: string, cache: AssetCache): Promise<string> {
  await Deno.writeFile(`${root}/big.bin`, new Uint8Array(SIZE).fill(5));
  await writtenLongAgo(`${root}/big.bin`); // a finished file
  const path = await cache.cache(`file://${root}/big.bin`);
  const parts = [];
  for (let start = 0; start < SIZE; start += PART) {
    parts.push(await md5File(path, { start, length: Math.min(PART, SIZE - start) }));
  }
  const loc = recordPathsOf(cache.dir, path);
  const { partSizes: _, md5: __, sha256: ___, ...meta } = readEntryRecord(loc)!.meta;
  writeEntryRecord(loc, { ...meta, etag: multipartEtag(parts) });
  return path;
}

for (const name of ["onProgress", "onCheckProgress"] as const) {
  for (const [what, make] of THROWN) {
    Deno.test(`copyVerified: ${what} thrown by ${name} names the callback, not DEST`, async () => {
      const root = await Deno.makeTempDir({ prefix: "copy_verified_progress_callback_" });
      try {
        await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
        const path = await setUp(root, cache);
        // The check reads it again: onCheckProgress is called.
        let rereads = 0;
        await cache.copyVerified(path, `${root}/first.bin`, {
          onCheckProgress: () => void rereads++,
        });
        assert(rereads > 0, "the check reads the copy again");
        await Deno.writeTextFile(`${root}/out.bin`, "before");
        const thrown = make();
        const fail = () => {
          throw thrown;
        };
        const error = await assertRejects(
          () => cache.copyVerified(path, `${root}/out.bin`, { [name]: fail }),
          CallbackError,
        );
        assertEquals(error.callback, name);
        assert(error.cause === thrown, `the callback's own error is the cause: ${error.cause}`);
        assert(!error.message.includes("cannot write"), error.message);
        assertEquals(await Deno.readTextFile(`${root}/out.bin`), "before");
        // The cached copy, which the callback says nothing of, stays cached.
        assertEquals(await cache.cache(`file://${root}/big.bin`), path);
        assertEquals((await Deno.stat(path)).size, SIZE);
        // A promise it returns that rejects stops the copy likewise.
        const rejected = await assertRejects(
          () =>
            cache.copyVerified(path, `${root}/out.bin`, { [name]: () => Promise.reject(thrown) }),
          CallbackError,
        );
        assertEquals(rejected.callback, name);
        assert(rejected.cause === thrown);
        assertEquals(await Deno.readTextFile(`${root}/out.bin`), "before");
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
}
