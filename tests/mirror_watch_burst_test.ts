/**
 * `watchMirror()`: the events of one change (an `rm -r`, a `git checkout`)
 * reach the queue a few ms apart, so their paths come due ms apart. They are
 * one batch: `--max-delete` holds back an `rm -r` of more files than it
 * allows, rather than letting it through a batch of one path at a time.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { storeContents, until, watchedTree } from "./mirror_helpers.ts";

Deno.test("mirror --watch: the paths of one burst of events are one batch (maxDelete holds an rm -r back)", async () => {
  await using watch = await watchedTree(
    { "a.txt": "a", "b.txt": "b", "c.txt": "c", "keep.txt": "k" },
    { maxDelete: 2 },
  );
  const { src, clock, events, batches, counts } = watch;
  // Lets the watch take up what the clock's advance made due: it goes idle
  // again, or (no sleep of its ended) stays so.
  const settle = async () => {
    const before = counts.idle;
    // Its one sleep on the clock still pending: the advance made nothing due.
    for (let i = 0; i < 25 && counts.idle === before && clock.pending === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  for (const name of ["a.txt", "b.txt", "c.txt"]) await Deno.remove(join(src, name));
  // The pump takes the events one at a time: each a few ms after the last.
  for (const name of ["a.txt", "b.txt", "c.txt"]) {
    const before = counts.seen;
    events.send({ kind: "remove", paths: [join(src, name)] });
    await until(`the event for ${name}`, () => counts.seen > before);
    await clock.advance(5);
  }
  // a.txt is due now, b.txt and c.txt 5 and 10 ms later.
  await clock.advance(985);
  await settle();
  for (let i = 0; i < 3; i++) {
    await clock.advance(5);
    await settle();
  }
  const keys = Object.keys(await storeContents(watch.store)).sort();
  // Three deletes in one batch are more than maxDelete 2: none is made.
  assertEquals(keys, ["a.txt", "b.txt", "c.txt", "keep.txt"]);
  assertEquals(batches.length, 2);
  assertEquals(batches[1]!.report.deleted, 0);
});
