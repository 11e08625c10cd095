/**
 * `vc mirror`'s byte count went back (`60.0 MB` at file 291, `59.8 MB` at
 * 299): a finished transfer's bytes left the in-flight count when its upload
 * or download ended, but joined the run's total only after the checks that
 * follow it (the file's stat, the state), and the other transfers reported
 * progress in between without them. The count now only grows, and ends at
 * the run's total.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mod.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("mirror: the bytes it reports never go back, uploading or downloading", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_mirror_bytes_" });
  try {
    await Deno.mkdir(join(dir, "src"));
    const old = new Date(Date.now() - 3_600_000);
    for (let i = 0; i < 60; i++) {
      const file = join(dir, "src", `f${i}.bin`);
      await Deno.writeFile(file, new Uint8Array(20_000 + i).fill(i));
      await Deno.utime(file, old, old);
    }
    const target = `file://${join(dir, "target")}`;
    const runs = [
      { sources: [join(dir, "src")], target, statePath: join(dir, "up.db") },
      // The reverse: the store into a directory.
      { sources: [target], target: join(dir, "down"), statePath: join(dir, "down.db") },
    ];
    for (const options of runs) {
      const seen: number[] = [];
      const report = await mirror({ ...options, onProgress: (p) => seen.push(p.bytes) });
      assertEquals(report.transferred, 60);
      for (let i = 1; i < seen.length; i++) {
        assert(seen[i]! >= seen[i - 1]!, `bytes went back at ${i}: ${seen.join(", ")}`);
      }
      assert(seen.at(-1)! <= report.bytes, `${seen.at(-1)} > ${report.bytes}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
