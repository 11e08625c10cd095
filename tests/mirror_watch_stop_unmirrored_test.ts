/**
 * `vc mirror --watch` stopped (SIGTERM from a service manager, Ctrl-C) while
 * changes it had seen were still waiting (their debounce not over, or a
 * retry after the store could not be reached): they were dropped without a
 * word, and the closing line (`mirror stopped: …, 0 failed`) read as if all
 * was mirrored. The next run's full pass mirrors them, but an operator who
 * stops a watch for good (or before a restore) needs to know: the totals
 * count them (`unmirrored`), and the closing line says so.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { storeContents, until, watchedTree, writeTree } from "./mirror_helpers.ts";
import { watchStoppedLine } from "../src/cli/mirror_command.ts";

Deno.test("mirror --watch: stopped with changes still waiting, the totals count them", async () => {
  const stop = new AbortController();
  await using t = await watchedTree({ "a.txt": "a" }, { signal: stop.signal });
  await writeTree(t.src, { "b.txt": "b", "c.txt": "c" });
  const seen = t.counts.seen, idle = t.counts.idle;
  t.events.send({ kind: "create", paths: [join(t.src, "b.txt"), join(t.src, "c.txt")] });
  await until("the events taken in", () => t.counts.seen > seen && t.counts.idle > idle);
  stop.abort();
  const totals = await t.watching;
  assertEquals(totals.unmirrored, 2);
  assertEquals((await storeContents(t.store))["b.txt"], undefined);
});

Deno.test("mirror --watch: stopped with nothing waiting, no unmirrored count", async () => {
  const stop = new AbortController();
  await using t = await watchedTree({ "a.txt": "a" }, { signal: stop.signal });
  stop.abort();
  const totals = await t.watching;
  assertEquals(totals.unmirrored, undefined);
});

Deno.test("vc mirror --watch: the closing line says the pass the stop cut short left files", () => {
  const totals = { passes: 1, batches: 0, transferred: 3, bytes: 3, deleted: 0, failed: 0 };
  // Before: "mirror stopped: 1 pass, 0 batches, 3 transferred, 0 deleted, 0 failed",
  // read as a tree all mirrored.
  assertEquals(
    watchStoppedLine({ ...totals, stoppedIn: "initial" }),
    "mirror stopped: 1 pass, 0 batches, 3 transferred, 0 deleted, 0 failed; the initial pass " +
      "it stopped did not come to every file (the next run mirrors the rest)",
  );
  assertEquals(
    watchStoppedLine({ ...totals, unmirrored: 613, stoppedIn: "reconcile" }),
    "mirror stopped: 1 pass, 0 batches, 3 transferred, 0 deleted, 0 failed; 613 paths changed " +
      "and not mirrored yet, and the reconcile pass it stopped did not come to every file " +
      "(the next run mirrors the rest)",
  );
  assertEquals(
    watchStoppedLine({ ...totals, unmirrored: 1 }),
    "mirror stopped: 1 pass, 0 batches, 3 transferred, 0 deleted, 0 failed; 1 path changed " +
      "and not mirrored yet (the next run mirrors it)",
  );
});
