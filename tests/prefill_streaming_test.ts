// A prefill of a long list runs in memory bounded by its concurrency, not by
// the number of items: items are taken from `uris` as the pool needs them,
// the list file's entries are made one at a time, and the cache keeps no
// in-memory record of an object asked for once. Checked by what is consumed
// and what is kept, not by timing or RSS.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { prefill, type PrefillProgress } from "../src/prefill/prefill.ts";
import { listEntries, readListEntries } from "../src/prefill/list_file.ts";
import { EntryIndex, type EntryRec } from "../src/cache/entry_index.ts";
import { CacheLayout } from "../src/cache/layout.ts";
import { systemClock } from "../src/clock.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("prefill takes its items lazily: never more than the concurrency ahead of those done", async () => {
  await using ws = await workspace();
  const uris: string[] = [];
  for (let i = 0; i < 60; i++) {
    uris.push(pathToFileURL(await writeFile(join(ws.dir, "many"), `f${i}.txt`, `${i}`)).href);
  }
  const concurrency = 4;
  let taken = 0;
  let done = 0;
  let mostAhead = 0;
  function* items(): Generator<string> {
    for (const uri of uris) {
      mostAhead = Math.max(mostAhead, taken - done);
      taken++;
      yield uri;
    }
  }
  const progress: PrefillProgress[] = [];
  const summary = await prefill({
    cache: ws.cache,
    uris: items(),
    concurrency,
    onProgress: (p) => {
      done = p.done;
      progress.push(p);
    },
  });
  assertEquals(summary.fetched, 60);
  assertEquals(summary.total, 60);
  assertEquals(summary.failed, []);
  assertEquals(taken, 60);
  // Those in flight, and the one the pool took next.
  assert(mostAhead <= concurrency + 1, `${mostAhead} items taken ahead of those done`);
  // Without a length the total is what was read so far.
  assert(progress.every((p) => p.done <= p.total), "done never exceeds total");
  assertEquals(progress.at(-1)?.total, 60);
});

Deno.test("prefill: an iterable with a length gives the total before the first item", async () => {
  await using ws = await workspace();
  const a = pathToFileURL(await writeFile(ws.dir, "a.txt", "a")).href;
  const b = pathToFileURL(await writeFile(ws.dir, "b.txt", "b")).href;
  const list = [a, b, a, `${ws.dir}/not-a-uri`];
  const totals: number[] = [];
  const summary = await prefill({
    cache: ws.cache,
    uris: list,
    concurrency: 1,
    onProgress: (p) => totals.push(p.total),
  });
  // 4 given, one duplicate: 3 (the duplicate is known only when reached).
  assertEquals(totals[0], 4);
  assertEquals(summary.total, 3);
  assertEquals(totals.at(-1), 3);
  assertEquals(summary.fetched, 2);
  assertEquals(summary.failed.map((f) => f.item), [`${ws.dir}/not-a-uri`]);
});

Deno.test("listEntries: checked at once, made lazily, the same entries as readListEntries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "list.txt");
    // CRLF and LF lines, a lone CR kept in a key, no newline at the end.
    await Deno.writeTextFile(
      file,
      "# c\r\ns3://b/a.csv\r\n\n  /x.csv@1.0.0  \ns3://b/k \ns3://b/cr\r",
    );
    const entries = await listEntries(file);
    assertEquals(entries.length, 4);
    const all = [...entries];
    assertEquals(all, await readListEntries(file));
    assertEquals(all.map((e) => [e.item, e.line]), [
      ["s3://b/a.csv", 2],
      ["/x.csv@1.0.0", 4],
      ["s3://b/k ", 5],
      ["s3://b/cr\r", 6],
    ]);
    // Lazily: taking the first entry does not make the others.
    const iterator = entries[Symbol.iterator]();
    assertEquals(iterator.next().value?.item, "s3://b/a.csv");
    // Iterable again from the start.
    assertEquals([...entries].length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("EntryIndex.release lets a record go, unless byUri serves it (a delete must reach it)", () => {
  const index = new EntryIndex(new CacheLayout("/nonexistent/vc-cache"), {
    clock: systemClock,
    ttlMs: 1000,
    offline: false,
    immutableBuckets: [],
  });
  const rec = (path: string) => ({ uri: `s3://b/${path}`, path, valid: true }) as EntryRec;
  // Asked for once: nothing kept.
  const once = rec("/c/once");
  index.setPath(once);
  index.release(once);
  assertEquals(index.byPath("/c/once"), undefined);
  // Served by byUri (another caller's): kept, and a delete still reaches it.
  const kept = rec("/c/kept");
  index.setPath(kept);
  index.remember("s3://b/kept", kept);
  index.release(kept);
  assertEquals(index.byPath("/c/kept"), kept);
  index.forget("/c/kept");
  assertEquals(kept.valid, false);
  // Released first, then remembered by a caller that shared its download:
  // remembered in byPath again, so a delete reaches it.
  const shared = rec("/c/shared");
  index.setPath(shared);
  index.release(shared);
  index.remember("s3://b/shared", shared);
  assertEquals(index.byPath("/c/shared"), shared);
  index.forget("/c/shared");
  assertEquals(shared.valid, false);
});

Deno.test("cache(uri, { once }) serves the same, keeps nothing, and a later delete still holds", async () => {
  await using ws = await workspace();
  const uri = pathToFileURL(await writeFile(ws.dir, "o.txt", "one")).href;
  const path = await ws.cache.cache(uri, { once: true });
  assertEquals(await Deno.readTextFile(path), "one");
  // A warm call reads its record from disk: the same path, no download.
  assertEquals(await ws.cache.cache(uri), path);
  // Remembered now; once again must not let the delete miss it.
  assertEquals(await ws.cache.cache(uri, { once: true }), path);
  assert(await ws.cache.delete(uri));
  await Deno.writeTextFile(join(ws.dir, "o.txt"), "two");
  assertEquals(await Deno.readTextFile(await ws.cache.cache(uri)), "two");
});

Deno.test("prefill refuses a lone string as uris instead of taking its characters as items", async () => {
  await using ws = await workspace();
  const uri = pathToFileURL(await writeFile(ws.dir, "one.txt", "1")).href;
  const error = await prefill({ cache: ws.cache, uris: uri }).then(() => undefined, (e) => e);
  assert(error instanceof InvalidInputError, String(error));
  assert(error.message.includes(`([${JSON.stringify(uri)}])`), error.message);
});
