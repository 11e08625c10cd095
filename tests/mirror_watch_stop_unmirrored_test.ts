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
