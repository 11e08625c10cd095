/**
 * A cached copy changed in place after its download (a user's edit, even
 * one that keeps the size) is never served as the object: its record names
 * the data file's modification time, and a file with another one is
 * downloaded again (offline: checked against its record instead).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { readEntryRecord, writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { IntegrityError } from "../src/errors.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { warm, workspace } from "./hot_path_helpers.ts";
import { testS3Options } from "./versioned_helpers.ts";

const URI = "s3://b/data/x.csv";
const GOOD = "a,b\n1,2\n";
const EDIT = "a,b\n9,9\n"; // same size

async function withCache(
  fn: (s3: FakeS3, make: (o?: AssetCacheOptions) => AssetCache, dir: string) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-edit-" });
  const caches: AssetCache[] = [];
  try {
    await s3.putObject("b", "data/x.csv", GOOD);
    await fn(s3, (o = {}) => {
      const c = new AssetCache({
        cacheDir: dir,
        configPath: false,
        env: {},
        store: testS3Options(s3),
        warn: () => {},
        ...o,
      });
      caches.push(c);
      return c;
    }, dir);
  } finally {
    for (const c of caches) await c.close();
    await Deno.remove(dir, { recursive: true });
  }
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
