/**
 * After its uploads, a local → store `vc mirror` lists the store (or HEADs
 * each key) to confirm what it uploaded: 20,000 small files against a local
 * S3 took 9 s of it, the bar standing at `100%  20000/20000 … 0 B/s` with no
 * word of what it waited for. The progress now tells it as a step,
 * `20000 uploads: confirming 45%`.
 */
import { join } from "node:path";
import { mirror, type MirrorProgress } from "../src/mirror/mod.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assert, assertEquals } from "./assert.ts";
import { RACY_MS, tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror local → store: confirming the uploads is told as a step of the progress", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "aaaa", "b/c.txt": "cc", "d.txt": "dddddd" });
  const store = new MemoryStore();
  try {
    const seen: MirrorProgress[] = [];
    const r = await mirror({
      sources: [src],
      target: store,
      statePath: join(w.dir, "s.db"),
      racyWindowMs: RACY_MS,
      onProgress: (p) => seen.push({ ...p }),
    });
    assertEquals(r.transferred, 3);
    const confirming = seen.filter((p) => p.step?.name === "confirming");
    assert(confirming.length > 0, JSON.stringify(seen));
    assertEquals(confirming[0]!.current, "3 uploads");
    assertEquals([confirming.at(-1)!.step!.bytes, confirming.at(-1)!.step!.total], [3, 3]);
    // The totals stay as the uploads left them.
    const last = seen.at(-1)!;
    assertEquals([last.done, last.total, last.bytes, last.totalBytes], [3, 3, 12, 12]);
  } finally {
    await store.close();
  }
});
