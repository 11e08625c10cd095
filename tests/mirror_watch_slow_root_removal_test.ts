/**
 * `vc mirror --watch --delete` of a source root removed by an `rm -r` that
 * takes longer than the debounce (a big tree, a slow or network disk): the
 * files' removals came due a debounce after their events, while the `rm`
 * was still going, so the first of them were deleted from the store by
 * batches of their own, and only those after the root went were held back
 * as "missing". Removals still coming in now hold a batch's removals back
 * until they are quiet: the `rm -r` is one batch, whose root is gone, and
 * none of its deletes is made (nor does `--max-delete` see it piecemeal).
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import type { ManualClock } from "../src/testing/manual_clock.ts";
import { storeContents, until, watchedTree } from "./mirror_helpers.ts";

const FILES = 10;

/**
 * Lets the watch take up what the clock's advance made due (it goes idle
 * again, or stays so: its one sleep on the clock, until its next work, still
 * pending, and nothing to wait for).
 */
async function settle(counts: { idle: number }, clock: ManualClock): Promise<void> {
  const before = counts.idle;
  for (let i = 0; i < 25 && counts.idle === before && clock.pending === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("mirror --watch: an rm -r of the source root slower than the debounce deletes nothing", async () => {
  const names = Array.from({ length: FILES }, (_, i) => `f${i}.txt`);
  await using watch = await watchedTree(Object.fromEntries(names.map((n) => [n, n])));
  const { src, clock, events, counts } = watch;
  // One file removed every 300 ms: 3 s, three debounces, for the whole tree.
  for (const name of names) {
    await Deno.remove(join(src, name));
    const before = counts.seen;
    events.send({ kind: "remove", paths: [join(src, name)] });
    await until(`the event for ${name}`, () => counts.seen > before);
    await clock.advance(300);
    await settle(counts, clock);
  }
  await Deno.remove(src);
  const before = counts.seen;
  events.send({ kind: "remove", paths: [src] });
  await until("the root's event", () => counts.seen > before);
  for (let i = 0; i < 10; i++) {
    await clock.advance(500);
    await settle(counts, clock);
  }
  assertEquals(Object.keys(await storeContents(watch.store)).sort(), names.toSorted());
  const deleted = watch.batches.reduce((n, b) => n + b.report.deleted, 0);
  assertEquals(deleted, 0);
});

Deno.test("mirror --watch: files removed one by one, slower than the debounce, in a root that stays are deleted together", async () => {
  const names = Array.from({ length: FILES }, (_, i) => `f${i}.txt`);
  await using watch = await watchedTree({
    "keep.txt": "k",
    ...Object.fromEntries(names.map((n) => [n, n])),
  });
  const { src, clock, events, counts, batches } = watch;
  for (const name of names) {
    await Deno.remove(join(src, name));
    const before = counts.seen;
    events.send({ kind: "remove", paths: [join(src, name)] });
    await until(`the event for ${name}`, () => counts.seen > before);
    await clock.advance(300);
    await settle(counts, clock);
  }
  for (let i = 0; i < 10; i++) {
    await clock.advance(500);
    await settle(counts, clock);
  }
  assertEquals(Object.keys(await storeContents(watch.store)), ["keep.txt"]);
  // One batch made them all (a --max-delete counts the whole removal).
  assertEquals(batches.slice(1).map((b) => b.report.deleted), [FILES]);
});
