/**
 * Every sweep of `vc serve` (each `--sweep-interval`, on every instance)
 * read every entry's metadata from the store: with many entries and several
 * instances, most of the store requests the service made. An entry's
 * metadata is written with its expiry at most its TTL ahead, so one the
 * listing dates within that TTL cannot have expired: the service's sweeps
 * (`skipRecent`) no longer read it, and still remove what expired, orphaned
 * data beside a recent entry and data a crashed upload left under a
 * placeholder. `vc serve expire` (no `skipRecent`) still reads every entry.
 */
import { Entries } from "../src/server/entries.ts";
import { runSweeps } from "../src/server/sweep.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { keys } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

const DAY = 86_400_000;
const owner = "token-file:alice";
const bytes = (text: string) => ReadableStream.from([new TextEncoder().encode(text)]);
const idOf = (n: number) => n.toString(16).padStart(128, "0");

/** `inner`, counting its `get` and `head` calls of metadata objects. */
function countingMetaReads(inner: ObjectStore): { store: ObjectStore; reads: () => number } {
  let reads = 0;
  const store = overriding(inner, {
    get: (...args: Parameters<ObjectStore["get"]>) => {
      if (args[0].startsWith("meta/")) reads++;
      return inner.get(...args);
    },
    head: (...args: Parameters<ObjectStore["head"]>) => {
      if (args[0].startsWith("meta/")) reads++;
      return inner.head(...args);
    },
  });
  return { store, reads: () => reads };
}

/** 30 files and 20 placeholders, written at the clock's time. */
async function fill(entries: Entries): Promise<{ files: string[]; placeholders: string[] }> {
  const files: string[] = [];
  const placeholders: string[] = [];
  for (let n = 0; n < 50; n++) {
    const id = idOf(n);
    await entries.reserve(id, owner);
    if (n < 30) {
      await entries.upload(id, owner, { filename: "out.txt", body: bytes(`file ${n}`) });
      files.push(id);
    } else {
      placeholders.push(id);
    }
  }
  return { files, placeholders };
}

Deno.test("serve sweep: entries written too recently to have expired are not read, what expired still goes", async () => {
  const clock = new ManualClock(Date.parse("2026-03-01T00:00:00Z"));
  await using inner = new MemoryStore({ clock });
  const { store, reads } = countingMetaReads(inner);
  const entries = new Entries(store, { clock });
  const { files, placeholders } = await fill(entries);

  // An hour later nothing can have expired: the listings, and no read.
  clock.jump(3_600_000);
  let before = reads();
  let result = await entries.sweep({ skipRecent: true });
  assertEquals(reads() - before, 0);
  assertEquals([result.scanned, result.recent, result.removed], [50, 50, 0]);
  // A full sweep (`vc serve expire`) reads each.
  before = reads();
  result = await entries.sweep();
  assertEquals(reads() - before, 50);
  assertEquals(result.recent, undefined);

  // Orphans: one beside a recent file (an upload's replaced data whose
  // delete failed), one under a placeholder (an upload killed before its
  // switch). Both a day old at the next sweep.
  const besideFile = `data/${files[0]}/00000000-0000-4000-8000-000000000001`;
  const underPlaceholder = `data/${placeholders[0]}/00000000-0000-4000-8000-000000000002`;
  await inner.put(besideFile, new TextEncoder().encode("old"));
  await inner.put(underPlaceholder, new TextEncoder().encode("partial"));

  // Past the placeholders' 7 days: only they are read (and removed), and the
  // two entries whose data holds an orphan.
  clock.jump(7 * DAY);
  before = reads();
  result = await entries.sweep({ skipRecent: true });
  assertEquals(result.removed, 20);
  assertEquals(result.orphansRemoved, 2);
  assertEquals(result.recent, 30);
  assertEquals(reads() - before, 20 + 2);
  const data = await keys(inner, "data/");
  assertEquals(data.length, 30); // each file's own data, kept
  assertEquals(data.includes(besideFile) || data.includes(underPlaceholder), false);
  assertEquals((await keys(inner, "meta/")).length, 30);

  // Past the files' 30 days: each read once, and removed.
  clock.jump(23 * DAY);
  before = reads();
  result = await entries.sweep({ skipRecent: true });
  assertEquals([result.scanned, result.removed, result.recent], [30, 30, undefined]);
  assertEquals(reads() - before, 30);
  assertEquals(await keys(inner), []);
});

Deno.test("serve sweep: a recount reads every entry, recent ones too", async () => {
  const clock = new ManualClock(Date.parse("2026-03-01T00:00:00Z"));
  await using inner = new MemoryStore({ clock });
  const { store, reads } = countingMetaReads(inner);
  const entries = new Entries(store, { clock });
  await fill(entries);
  const before = reads();
  const result = await entries.sweep({ skipRecent: true, recountUsage: true });
  assertEquals(reads() - before, 50);
  assertEquals(result.recent, undefined);
});

Deno.test("serve sweep: the service's sweep loop does not read recent entries", async () => {
  const clock = new ManualClock(Date.parse("2026-03-01T00:00:00Z"));
  await using inner = new MemoryStore({ clock });
  const { store, reads } = countingMetaReads(inner);
  const entries = new Entries(store, { clock });
  await fill(entries);
  const before = reads();
  const stop = new AbortController();
  const results: unknown[] = [];
  const loop = runSweeps(entries, {
    intervalMs: 0,
    clock,
    signal: stop.signal,
    onSweep: (r) => {
      results.push(r);
      stop.abort();
    },
  });
  await loop;
  assertEquals(results.length, 1);
  assertEquals((results[0] as { recent?: number }).recent, 50);
  assertEquals(reads() - before, 0);
});
