/**
 * `watchMirror()` when a file is still being written into a directory that
 * was just made (`cp -r`, a download into a new folder): the directory's
 * batch compares everything below it, and it uploaded the file as it was
 * then (half of it, while its own events still came), so the store held a
 * torn object until the file's own batch. A file with events not applied
 * yet is now left to them, as a full pass leaves it.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { storeContents, until, watchedTree, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror --watch: a new directory's batch leaves a file still being written in it to its own events", async () => {
  await using t = await watchedTree({ "a.txt": "a" });
  const { src } = t;
  const dir = join(src, "new");
  const big = join(dir, "big.bin");
  await writeTree(src, { "new/done.txt": "done", "new/big.bin": "first half," });
  // Each event is taken in, and the watch idle again, before the clock moves.
  const send = async (event: Deno.FsEvent) => {
    const seen = t.counts.seen;
    const idle = t.counts.idle;
    t.events.send(event);
    await until("the event taken in", () => t.counts.seen > seen && t.counts.idle > idle);
  };
  await send({ kind: "create", paths: [dir] });
  await t.clock.advance(500);
  // The file is still being written: its event comes half a debounce after the directory's.
  await send({ kind: "modify", paths: [big] });
  const batches = t.batches.length;
  await t.clock.advance(500);
  await until("the directory's batch", () => t.batches.length > batches);
  const after = await storeContents(t.store);
  assertEquals(after["new/done.txt"], "done");
  assertEquals(after["new/big.bin"], undefined, "half a file was uploaded");
  // Written to the end, and quiet: its own batch uploads it whole.
  await Deno.writeTextFile(big, "first half,second half");
  await send({ kind: "modify", paths: [big] });
  const more = t.batches.length;
  await t.clock.advance(1_000);
  await until("the file's batch", () => t.batches.length > more);
  assertEquals((await storeContents(t.store))["new/big.bin"], "first half,second half");
});
