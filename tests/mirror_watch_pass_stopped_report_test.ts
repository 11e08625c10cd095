/**
 * `watchMirror()` stopped (Ctrl-C, SIGTERM) during a full pass: the pass
 * starts no new file and deletes nothing, and its report was handed to
 * `onBatch` as any finished pass's, so `vc mirror --watch` printed
 * `initial: mirror: 0 uploaded (0 B), 0 deleted, 0 unchanged, 1.3s` for a
 * pass that never came to the files: read as a tree found equal. Its report
 * now says `stopped: true` (and the CLI's line `initial (stopped): …`); a
 * pass that ended before the stop says nothing of it. The watch's totals
 * (`stoppedIn`), and so the closing line, say it too: with no event
 * waiting, `mirror stopped: 1 pass, 0 batches, 3 transferred, 0 deleted,
 * 0 failed` read as a tree all mirrored.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { tempDir, until, watchWithTestEvents, writeTree } from "./mirror_helpers.ts";
import { overriding } from "./overriding.ts";

const FILES = 30;

Deno.test("mirror --watch: a full pass cut short by the stop is reported as stopped", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) files[`f${String(i).padStart(3, "0")}.txt`] = "x";
  await writeTree(src, files);
  const stop = new AbortController();
  const fs = new FsStore(join(w.dir, "store"));
  const store = overriding(fs, {
    put: (...args: Parameters<ObjectStore["put"]>) => {
      stop.abort();
      return fs.put(...args);
    },
  });
  await using watch = watchWithTestEvents(src, store, w.dir, {
    signal: stop.signal,
    concurrency: 1,
  });
  const totals = await watch.watching;
  assertEquals(watch.batches.map((b) => b.kind), ["initial"]);
  const report = watch.batches[0]!.report;
  assert(report.transferred < FILES, `${report.transferred} of ${FILES} uploaded`);
  assertEquals(report.stopped, true);
  assertEquals(totals.deleted, 0);
  // The totals (the closing line's) say it too: with no event waiting, they
  // read as a tree all mirrored.
  assertEquals(totals.stoppedIn, "initial");
});

Deno.test("mirror --watch: a full pass that ended before the stop is not reported as stopped", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const stop = new AbortController();
  await using watch = watchWithTestEvents(src, new FsStore(join(w.dir, "store")), w.dir, {
    signal: stop.signal,
  });
  await until("the first pass", () => watch.batches.length === 1 && watch.counts.idle > 0);
  const report = watch.batches[0]!.report;
  assertEquals([report.transferred, report.stopped], [1, undefined]);
  stop.abort();
  assertEquals((await watch.watching).stoppedIn, undefined);
});
