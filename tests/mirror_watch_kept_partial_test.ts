/**
 * `vc mirror --watch` of a store into a directory, abandoned (Ctrl-C /
 * SIGTERM) while a large download is under way whose partial is kept for the
 * next run to resume: its interrupted line names the partial and how far it
 * got, as the one-shot mirror's does, and the error lists it in
 * `keptPartials`. It said only "1 cut short (big.bin)".
 */
import { join } from "node:path";
import { WatchInterruptedError, watchMirror } from "../src/mirror/watch.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { testS3Store } from "./versioned_helpers.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;

Deno.test("mirror --watch store → local: an interrupt says which download kept its partial, and how much", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "d/big.bin", randomBytes(SIZE, 21));
  // Every GET after the first is held back 2 s: the cancel below lands while
  // the rest of the download is still on its way.
  let seen = 0;
  s3.setFaults({ latencyMs: 2000, match: (r) => r.op === "GetObject" && ++seen >= 2 });
  const store = testS3Store(s3, "b", { maxAttempts: 1 });
  await using w = await tempDir();
  const cancel = new AbortController();
  try {
    const error = await watchMirror({
      sources: [store],
      sourcePrefix: "d",
      target: join(w.dir, "dl"),
      statePath: join(w.dir, "s.db"),
      download: { parallelThreshold: MiB, partSize: MiB },
      concurrency: 1,
      cancel: cancel.signal,
      onProgress: (p) => void (p.bytes >= MiB && cancel.abort()),
    }).then(() => undefined, (e) => e);
    assert(error instanceof WatchInterruptedError, String(error));
    assertEquals(error.cutShort, ["big.bin"]);
    const kept = error.keptPartials;
    assertEquals(kept.map((k) => [k.key, k.size]), [["big.bin", SIZE]]);
    const bytes = kept[0]!.bytes;
    assert(bytes >= MiB && bytes < SIZE, `kept ${bytes}`);
    assertStringIncludes(
      error.message,
      `1 cut short (big.bin; big.bin stopped at ${
        (bytes / 1e6).toFixed(1)
      } MB of 8.4 MB, kept for the next run to resume)`,
    );
  } finally {
    cancel.abort();
    await store.close();
  }
});
