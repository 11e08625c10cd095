/**
 * `watchMirror()` when the system's event queue overflowed (inotify's
 * IN_Q_OVERFLOW, which Deno gives as an event with `flag: "rescan"`): the
 * events dropped are found by a full pass made once the overflows have been
 * quiet for the debounce, not an interval later, and not once per overflow:
 * a file written fast and long (a 300 MB download into the tree) overflows
 * the queue over and over, and a pass for each walked and listed the whole
 * tree back to back for as long as the write went on. The overflow cannot
 * be caused on purpose without changing a machine-wide limit, so the events
 * come from a test watcher.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { storeContents, until, watchedTree, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror --watch: events the system dropped (queue overflow, a rescan) bring a full pass a debounce later", async () => {
  await using watch = await watchedTree({ "a.txt": "a" });
  const { src, batches, counts } = watch;
  // Written while the queue overflowed: no event says so.
  await writeTree(src, { "b.txt": "b", "sub/c.txt": "c" });
  await Deno.remove(join(src, "a.txt"));
  watch.events.send({ kind: "other", paths: [], flag: "rescan" });
  await until("the overflow seen", () => counts.seen === 1);
  watch.clock.advance(1000);
  await until("a full pass", () => batches.length === 2);
  assertEquals(batches.map((x) => x.kind), ["initial", "reconcile"]);
  assertEquals(await storeContents(watch.store), { "b.txt": "b", "sub/c.txt": "c" });
});

Deno.test("mirror --watch: overflows that keep coming bring one full pass once they stop, not one each", async () => {
  await using watch = await watchedTree({ "a.txt": "a" });
  const { src, batches, counts } = watch;
  await writeTree(src, { "b.txt": "b" });
  // Overflows half a debounce apart, as while a big file is written fast.
  for (let i = 1; i <= 5; i++) {
    const idle = counts.idle;
    // As Deno gives it: kind "any", naming the watched root.
    watch.events.send({ kind: "any", paths: [src], flag: "rescan" });
    await until(`overflow ${i} seen`, () => counts.seen === i && counts.idle > idle);
    watch.clock.advance(500);
  }
  // Idle again after the last step of the clock: nothing was due.
  const idle = counts.idle;
  watch.events.send({ kind: "any", paths: [src], flag: "rescan" });
  await until("the last overflow seen", () => counts.seen === 6 && counts.idle > idle);
  assertEquals(batches.map((x) => x.kind), ["initial"]);
  const before = counts.idle;
  watch.clock.advance(1000);
  // Idle again once what came due is done: the root the overflows named is
  // no change of its own, so no events batch compares the whole tree again
  // beside the pass.
  await until("a full pass", () => batches.length >= 2 && counts.idle > before);
  assertEquals(batches.map((x) => x.kind), ["initial", "reconcile"]);
  assertEquals(await storeContents(watch.store), { "a.txt": "a", "b.txt": "b" });
});
