/**
 * `vc mirror --watch`: a file the store refuses for what it is (its key over
 * S3's 1024 bytes) fails the same at every try until the file changes, so
 * the watch does not try it again on the 1 s → 5 min schedule: it is
 * reported once, counted, and taken up again at its next event.
 */
import { join } from "node:path";
import { watchMirror } from "../src/mirror/mod.ts";
import type { MirrorReport } from "../src/mirror/mod.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("watchMirror: a key the store refuses is not retried until its file changes", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_watch_long_" }));
  const stop = new AbortController();
  try {
    const src = join(dir, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "ok.txt"), "ok");
    const deep = join(src, ...Array.from({ length: 6 }, (_, i) => `${i}`.repeat(200)));
    const batches: MirrorReport[] = [];
    let ready: () => void = () => {};
    const started = new Promise<void>((r) => ready = r);
    const watching = watchMirror({
      sources: [src],
      target: `file://${join(dir, "bucket")}`,
      statePath: join(dir, "state.sqlite"),
      debounceMs: 50,
      signal: stop.signal,
      onBatch: (report, kind) => {
        if (kind === "initial") ready();
        if (kind === "events" && report.failed.length > 0) batches.push(report);
      },
    });
    await started;
    // Made outside the tree and moved in whole, so that it arrives as one
    // event: made in place, its creation and its write could fall into two
    // batches under load, and the write is a change that takes it up again.
    const outside = join(dir, "outside");
    await Deno.mkdir(join(outside, deep.slice(src.length)), { recursive: true });
    await Deno.writeTextFile(join(outside, deep.slice(src.length), "long.txt"), "x");
    await Deno.rename(join(outside, "0".repeat(200)), join(src, "0".repeat(200)));
    // Retried, it would fail again at 1 s and 3 s after the first failure.
    await new Promise((r) => setTimeout(r, 4_000));
    assertEquals(batches.length, 1, JSON.stringify(batches.map((b) => b.failed)));
    const [first] = batches[0]!.failed;
    assert(first !== undefined && first.untilChanged === true, JSON.stringify(first));
    assert(first.error.includes("1024"), first.error);
    // A change of the file takes it up again (and it fails again, said).
    await Deno.writeTextFile(join(deep, "long.txt"), "xy");
    for (let i = 0; i < 100 && batches.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(batches.length, 2);
    stop.abort();
    const totals = await watching;
    assert(totals.failed >= 2, JSON.stringify(totals));
  } finally {
    stop.abort();
    await Deno.remove(dir, { recursive: true });
  }
});
