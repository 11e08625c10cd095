/**
 * A watch's totals (`WatchReport`, the closing `mirror stopped: …` line)
 * counted the renamed files it copied in the store only in "transferred",
 * as if uploaded again; a one-shot run's summary says them apart
 * (`1 of them copied in the store, renamed files`). They are counted apart
 * in `copied` and said in the closing line too.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  bigFileMirror,
  fsBackend,
  RACY_MS,
  settle,
  tempDir,
  until,
  upOptions,
  watchWithTestEvents,
} from "./mirror_helpers.ts";

const SIZE = 2 * 1024 * 1024;

Deno.test("watchMirror: the totals count the files copied in the store apart", async () => {
  await using b = await fsBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  await Deno.writeFile(join(src, "big.bin"), randomBytes(SIZE, 31));
  await settle();
  const first = await mirror(upOptions(w.dir, b.store, { delete: true }));
  assertEquals(first.transferred, 1);
  await Deno.rename(join(src, "big.bin"), join(src, "big2.bin"));
  await settle();
  const watch = watchWithTestEvents(src, b.store, w.dir, { racyWindowMs: RACY_MS });
  try {
    await until("the first pass", () => watch.batches.length === 1 && watch.counts.idle > 0);
    assertEquals(watch.batches[0]!.report.copied, 1);
  } finally {
    await watch[Symbol.asyncDispose]();
  }
  const totals = await watch.watching;
  assertEquals([totals.transferred, totals.copied, totals.deleted], [1, 1, 1]);
});

Deno.test("vc mirror --watch: the closing line says how many were copied in the store", async () => {
  await using w = await tempDir();
  const { src, args } = await bigFileMirror(w.dir, SIZE, 33);
  const once = memoryIo({ env: { HOME: w.dir }, cwd: w.dir });
  assertEquals(await runCli(args, once), 0, once.stderr());
  const stop = new AbortController();
  const io = memoryIo({ env: { HOME: w.dir }, cwd: w.dir, signal: stop.signal });
  const running = runCli([...args, "--watch", "--debounce", "100ms"], io);
  try {
    // Renamed while the watch runs (after its first pass): the event batch
    // copies it in the store. (Renamed just before the start, see
    // mirror_watch_pass_rename_settling_test.ts.)
    await until("the first pass", () => io.stderr().includes("initial: "), { everyMs: 100 });
    await Deno.rename(join(src, "big.bin"), join(src, "big2.bin"));
    await until("the copy", () => io.stderr().includes("copied in the store"), { everyMs: 100 });
  } finally {
    stop.abort();
  }
  assertEquals(await running, 0, io.stderr());
  assertStringIncludes(
    io.stderr(),
    "1 transferred (1 copied in the store, renamed files), 1 deleted, 0 failed\n",
  );
});
