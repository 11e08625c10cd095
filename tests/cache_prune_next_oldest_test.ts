// `prune --max-size` keeps an entry in use (being downloaded, or used or
// refreshed since it was listed) and takes the next least recently used one
// in its place, until the cache fits; when nothing else can go, the result
// (`kept`, `remainingBytes`) and the command's output say so.
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { acquireEntryLock, type EntryLock } from "../src/cache/entry_lock.ts";
import { cacheThree, withS3Cache } from "./cache_s3_helpers.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** Holds the entries' locks (what a download in progress holds) during `fn`. */
async function whileBusy(paths: string[], fn: () => Promise<void>): Promise<void> {
  const locks: EntryLock[] = [];
  try {
    for (const p of paths) locks.push(await acquireEntryLock(p));
    await fn();
  } finally {
    for (const l of locks) l.release();
  }
}

Deno.test("cache prune --max-size: the oldest entry in use is kept, and the next-oldest goes instead", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths = await cacheThree(s3, cache);
    await whileBusy([paths.a!], async () => {
      const r = await cache.prune({ maxBytes: 20 });
      assertEquals(r.removed.map((e) => e.uri), ["s3://b/b.txt"]);
      assertEquals(r.freedBytes, 10);
      assertEquals(r.kept?.map((e) => e.uri), ["s3://b/a.txt"]);
      assertEquals(r.remainingBytes, undefined); // 20 bytes: fits
    });
    assertEquals((await cache.ls()).map((e) => e.uri), ["s3://b/a.txt", "s3://b/c.txt"]);
  });
});

Deno.test("cache prune --max-size: when nothing else can go, the result says how much is left", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths = await cacheThree(s3, cache);
    await whileBusy([paths.a!, paths.b!], async () => {
      const r = await cache.prune({ maxBytes: 5 });
      assertEquals(r.removed.map((e) => e.uri), ["s3://b/c.txt"]);
      assertEquals(r.kept?.map((e) => e.uri), ["s3://b/a.txt", "s3://b/b.txt"]);
      assertEquals(r.remainingBytes, 20);
    });
    // Once they are no longer in use, the next prune takes them.
    const again = await cache.prune({ maxBytes: 5 });
    assertEquals(again.removed.length, 2);
    assertEquals(again.kept, undefined);
    assertEquals(again.remainingBytes, undefined);
  });
});

Deno.test("vc cache prune --max-size: kept entries and a cache left above the limit are reported", async () => {
  await using ws = await CliWorkspace.create();
  await withS3Cache(async (s3, make, dir) => {
    const paths = await cacheThree(s3, make());
    await whileBusy([paths.a!, paths.b!], async () => {
      const env = { VC_CACHE_DIR: dir };
      const json = await ws.run(["cache", "prune", "--max-size", "5B", "--json"], env);
      assertEquals(json.code, 0, json.stderr);
      // Nothing else to remove now: c went on the first run.
      const r = json.json<{ kept: { uri: string }[]; remainingBytes: number }>();
      assertEquals(r.kept.map((e) => e.uri), ["s3://b/a.txt", "s3://b/b.txt"]);
      assertEquals(r.remainingBytes, 20);
      const human = await ws.run(["cache", "prune", "--max-size", "5B"], env);
      assertEquals(human.code, 0, human.stderr);
      assertStringIncludes(human.stdout, "kept s3://b/a.txt: in use");
      assertStringIncludes(human.stdout, "kept s3://b/b.txt: in use");
      assertStringIncludes(human.stdout, "removed 0 files, freed 0 B");
      assertStringIncludes(
        human.stderr,
        "the cache still holds 20 B, more than --max-size 5B: nothing else can be removed " +
          "(2 files are in use and were kept)",
      );
    });
  });
});

Deno.test("vc cache verify and prune: records whose data was deleted by hand are counted in the human output", async () => {
  await using ws = await CliWorkspace.create();
  await withS3Cache(async (s3, make, dir) => {
    const env = { VC_CACHE_DIR: dir };
    const paths = await cacheThree(s3, make());
    await Deno.remove(paths.a!);
    const verify = await ws.run(["cache", "verify"], env);
    assertEquals(verify.code, 0, verify.stderr);
    assertStringIncludes(verify.stdout, "2 ok, 0 corrupt");
    assertStringIncludes(verify.stdout, "dropped 1 record whose data was gone");
    // Dropped: the next run has none.
    assert(!(await ws.run(["cache", "verify"], env)).stdout.includes("dropped"));

    await Deno.remove(paths.b!);
    await Deno.remove(paths.c!);
    const dry = await ws.run(["cache", "prune", "--older-than", "30d", "--dry-run"], env);
    assertStringIncludes(dry.stdout, "would drop 2 records whose data was gone");
    const prune = await ws.run(["cache", "prune", "--older-than", "30d"], env);
    assertEquals(prune.code, 0, prune.stderr);
    assertStringIncludes(prune.stdout, "dropped 2 records whose data was gone");
    assertEquals(prune.stderr, "");
  });
});
