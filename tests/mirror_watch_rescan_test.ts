/**
 * `watchMirror()` when the system's event queue overflowed (inotify's
 * IN_Q_OVERFLOW, which Deno gives as an event with `flag: "rescan"`): the
 * events dropped are found by a full pass made at once, not an interval
 * later. The overflow cannot be caused on purpose without changing a
 * machine-wide limit, so the events come from a test watcher.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import {
  fakeBackend,
  storeContents,
  tempDir,
  until,
  watchWithTestEvents,
  writeTree,
} from "./mirror_helpers.ts";

Deno.test("mirror --watch: events the system dropped (queue overflow, a rescan) bring a full pass at once", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  await using watch = watchWithTestEvents(src, b.store, w.dir);
  const { batches, counts } = watch;
  await until("the first pass", () => batches.length === 1 && counts.idle > 0);
  // Written while the queue overflowed: no event says so.
  await writeTree(src, { "b.txt": "b", "sub/c.txt": "c" });
  await Deno.remove(join(src, "a.txt"));
  watch.events.send({ kind: "other", paths: [], flag: "rescan" });
  await until("a full pass", () => batches.length === 2);
  assertEquals(batches.map((x) => x.kind), ["initial", "reconcile"]);
  assertEquals(await storeContents(b.store), { "b.txt": "b", "sub/c.txt": "c" });
});
