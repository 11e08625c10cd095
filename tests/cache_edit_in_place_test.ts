/**
 * A cached copy changed in place after its download (a user's edit, even
 * one that keeps the size) is never served as the object: its record names
 * the data file's modification time, and a file with another one is
 * downloaded again (offline: checked against its record instead).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import type { AssetCache, AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { IntegrityError, OfflineError } from "../src/errors.ts";
import type { FakeS3 } from "../src/testing/mod.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { warm, workspace } from "./hot_path_helpers.ts";
import { uploadInParts } from "./versioned_helpers.ts";

const URI = "s3://b/data/x.csv";
const GOOD = "a,b\n1,2\n";
const EDIT = "a,b\n9,9\n"; // same size

/** A cache over a fake S3 server holding `s3://b/data/x.csv` (see `withS3Cache`). */
function withCache(
  fn: (s3: FakeS3, make: (o?: AssetCacheOptions) => AssetCache, dir: string) => Promise<void>,
): Promise<void> {
  return withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "data/x.csv", GOOD);
    await fn(s3, make, dir);
  }, { maxAttempts: 2 });
}

/** Rewrites `path` in place with `text`, a second later than it was written. */
async function editInPlace(path: string, text: string): Promise<void> {
  const { mtime } = await Deno.stat(path);
  await Deno.writeTextFile(path, text);
  const later = new Date(mtime!.getTime() + 1000);
  await Deno.utime(path, later, later);
}

Deno.test("an in-place edit at the same size is downloaded again by the next process", async () => {
  await withCache(async (s3, make) => {
    const path = await make().cache(URI);
    assertEquals(s3.stats.GetObject, 1);
    await editInPlace(path, EDIT);
    assertEquals(await make().cache(URI), path);
    assertEquals(await Deno.readTextFile(path), GOOD);
    assertEquals(s3.stats.GetObject, 2);
    // The fresh copy is the cache's own again: served without a request.
    assertEquals(await make().cache(URI), path);
    assertEquals(s3.stats.GetObject, 2);
  });
});

Deno.test("an in-place edit is caught by the running process at its next check of the file", async () => {
  await withCache(async (s3, make) => {
    const clock = new ManualClock();
    const cache = make({ clock, timeout: 3600 });
    const path = await cache.cache(URI);
    await editInPlace(path, EDIT);
    await clock.advance(2_000); // past the once-a-second look at the file
    assertEquals(await cache.cache(URI), path);
    assertEquals(await Deno.readTextFile(path), GOOD);
    assertEquals(s3.stats.GetObject, 2);
  });
});

Deno.test("offline: an edited copy is refused naming it; a touched intact one is served", async () => {
  await withCache(async (s3, make) => {
    const path = await make().cache(URI);
    await editInPlace(path, EDIT);
    const e = await assertRejects(() => make({ offline: true }).cache(URI), IntegrityError);
    assertStringIncludes(e.message, URI);
    assertStringIncludes(e.message, path);
    assertStringIncludes(e.message, "changed after it was downloaded");
    assertEquals(await Deno.readTextFile(path), EDIT, "offline, nothing is replaced");
    // Put back byte for byte but with a new time (a copy without its times).
    await editInPlace(path, GOOD);
    assertEquals(await make({ offline: true }).cache(URI), path);
    // Its record took the new time: online, it is served without a download.
    assertEquals(await make().cache(URI), path);
    assertEquals(s3.stats.GetObject, 1);
  });
});

Deno.test("records of earlier versions (no modification time) are still served", async () => {
  await withCache(async (s3, make, dir) => {
    const path = await make().cache(URI);
    const paths = recordPathsOf(dir, path);
    const { mtime, ...older } = readEntryRecord(paths)!.meta;
    assert(mtime !== undefined, "a download records its file's modification time");
    writeEntryRecord(paths, older);
    await editInPlace(path, GOOD);
    assertEquals(await make().cache(URI), path);
    assertEquals(s3.stats.GetObject, 1);
  });
});

Deno.test("lean vc path: an edited copy is not answered from the fast path", async () => {
  await using ws = await workspace();
  await warm(ws);
  const data = `${ws.dir}/cache/file${ws.dir}/bucket/some/asset.1.0.0.bin`;
  const io = memoryIo({ env: ws.env, cwd: ws.dir });
  assertEquals(await hotPath(["path", "/some/asset.bin"], io), 0, "warm: answered");
  const size = (await Deno.stat(data)).size;
  await editInPlace(data, "x".repeat(size));
  const again = memoryIo({ env: ws.env, cwd: ws.dir });
  assertEquals(await hotPath(["path", "/some/asset.bin"], again), undefined, "edited: handed on");
});

Deno.test("online: a touched copy whose bytes are intact is served without a download, and warns nothing", async () => {
  await withCache(async (s3, make, dir) => {
    const path = await make().cache(URI);
    await editInPlace(path, GOOD); // a copy without its times: same bytes, new mtime
    const warnings: string[] = [];
    assertEquals(await make({ warn: (m) => warnings.push(m) }).cache(URI), path);
    assertEquals(s3.stats.GetObject, 1);
    assertEquals(warnings, []);
    // The record took the file's time: the next process does not hash it again.
    const recorded = readEntryRecord(recordPathsOf(dir, path))!.meta.mtime;
    assertEquals(recorded, (await Deno.stat(path)).mtime!.getTime());
  });
});

Deno.test("online: an edited copy is downloaded again with a warning naming it", async () => {
  await withCache(async (s3, make) => {
    const path = await make().cache(URI);
    await editInPlace(path, EDIT);
    const warnings: string[] = [];
    await make({ warn: (m) => warnings.push(m) }).cache(URI);
    assertEquals(s3.stats.GetObject, 2);
    assert(
      warnings.some((w) => w.includes(path) && w.includes("downloading it again")),
      warnings.join("\n"),
    );
  });
});

Deno.test("store unreachable: a touched intact copy is still served", async () => {
  await withCache(async (s3, make) => {
    const path = await make().cache(URI);
    await editInPlace(path, GOOD);
    await s3.stop();
    assertEquals(await make().cache(URI), path);
    assertEquals(await Deno.readTextFile(path), GOOD);
  });
});

Deno.test("offline: a copy whose size changed is refused naming its size", async () => {
  await withCache(async (_s3, make) => {
    const path = await make().cache(URI);
    await editInPlace(path, GOOD + "appended\n");
    const e = await assertRejects(() => make({ offline: true }).cache(URI), IntegrityError);
    assertStringIncludes(e.message, path);
    assertStringIncludes(e.message, "size");
  });
});

Deno.test("offline: a touched copy of an object uploaded in parts is checked by its multipart ETag", async () => {
  await withCache(async (s3, make) => {
    const MiB = 1024 * 1024;
    const content = new Uint8Array(11 * MiB + 3);
    for (let off = 0; off < content.length; off += 65536) {
      crypto.getRandomValues(content.subarray(off, off + 65536));
    }
    await uploadInParts(s3, "b", "data/parts.bin", content, 5 * MiB);
    const uri = "s3://b/data/parts.bin";
    const path = await make().cache(uri);
    const { mtime } = await Deno.stat(path);
    await Deno.utime(path, new Date(), new Date(mtime!.getTime() + 1000));
    assertEquals(await make({ offline: true }).cache(uri), path);
    // Other bytes at the same size: refused.
    content[5] = content[5]! ^ 1;
    await Deno.writeFile(path, content);
    await assertRejects(() => make({ offline: true }).cache(uri), IntegrityError);
  });
});

Deno.test("a copy whose size changed is listed, reported corrupt by verify, and reclaimed by prune", async () => {
  await withCache(async (_s3, make) => {
    const cache = make();
    const path = await cache.cache(URI);
    await editInPlace(path, GOOD + "appended\n");
    assertEquals((await cache.ls()).map((e) => e.path), [path]);
    const { corrupt } = await cache.verify();
    assertEquals(corrupt.map((e) => e.path), [path]);
    assertStringIncludes(corrupt[0]?.problem ?? "", "size");
    // Again, for prune: it counts what the grown file takes on disk, not its record's size.
    await cache.cache(URI);
    await editInPlace(path, GOOD + "appended\n");
    const { removed, freedBytes } = await cache.prune({ maxBytes: GOOD.length });
    assertEquals(removed.map((e) => e.path), [path]);
    assertEquals(freedBytes, (GOOD + "appended\n").length);
  });
});

Deno.test("a directory put where a copy was: offline names it; rm forgets the entry and keeps the directory", async () => {
  await withCache(async (_s3, make) => {
    const cache = make();
    const path = await cache.cache(URI);
    await Deno.remove(path);
    await Deno.mkdir(path);
    await Deno.writeTextFile(`${path}/inside.txt`, "someone else's");
    // Offline, the message says what is there.
    const e = await assertRejects(() => make({ offline: true }).cache(URI), OfflineError);
    assertStringIncludes(e.message, "where a directory is");
    assertEquals(await cache.delete(URI), false, "no data file of this entry was there");
    assertEquals(await Deno.readTextFile(`${path}/inside.txt`), "someone else's");
  });
});

Deno.test("verify gives an intact copy with a new time that time in its record; an edited one is corrupt", async () => {
  await withCache(async (s3, make, dir) => {
    const cache = make();
    const path = await cache.cache(URI);
    const record = recordPathsOf(dir, path);
    const downloadedAt = readEntryRecord(record)?.meta.mtime;
    assert(downloadedAt !== undefined);
    // Put back byte for byte with a new time (a cache restored without its times).
    await editInPlace(path, GOOD);
    const newTime = (await Deno.stat(path)).mtime!.getTime();
    assert(newTime !== downloadedAt);
    const first = await cache.verify();
    assertEquals(first.ok, 1);
    assertEquals(first.retimed, [path]);
    assertEquals(readEntryRecord(record)?.meta.mtime, newTime);
    // Done once: the next verify finds nothing to adopt, and a use serves it as it is.
    assertEquals((await cache.verify()).retimed, undefined);
    assertEquals(await make({ offline: true }).cache(URI), path);
    assertEquals(s3.stats.GetObject, 1);
    // Other bytes at the same size and a new time: corrupt, removed, never retimed.
    await editInPlace(path, EDIT);
    const second = await cache.verify();
    assertEquals(second.corrupt.map((e) => e.path), [path]);
    assertEquals(second.retimed, undefined);
  });
});

Deno.test("verify adopts no time for a record another process rewrote while verify waited for its lock", async () => {
  await withCache(async (_s3, make, dir) => {
    const path = await make().cache(URI);
    const record = recordPathsOf(dir, path);
    const meta = readEntryRecord(record)!.meta;
    await editInPlace(path, GOOD);
    const { acquireEntryLock } = await import("../src/cache/entry_lock.ts");
    const { verifyEntries } = await import("../src/cache/maintenance.ts");
    // Held as a downloader would: verify lists and hashes the copy, then waits.
    const lock = await acquireEntryLock(path, { timeout: 1000 });
    let verifying;
    try {
      verifying = verifyEntries(dir);
      await new Promise((r) => setTimeout(r, 500));
      // Meanwhile the holder records another time (its own download's).
      writeEntryRecord(record, { ...meta, mtime: meta.mtime! - 5000 });
    } finally {
      lock.release();
    }
    const result = await verifying;
    assertEquals(result.ok, 1);
    assertEquals(result.retimed, undefined);
    assertEquals(
      readEntryRecord(record)?.meta.mtime,
      meta.mtime! - 5000,
      "the holder's record stays",
    );
  });
});
