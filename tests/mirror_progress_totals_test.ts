/**
 * `vc mirror`'s progress had no total, percentage or ETA: the run compares
 * as the walk and the listing stream in. Once both are read to their end
 * (before the transfers, for a run of few or large files; at the latest as
 * its last transfers are in flight), the progress carries what is known:
 * `total`, every item the run handles, and `totalBytes`, the bytes of the
 * transfers (at most: a file found unchanged by its hash, or copied in the
 * store, takes its bytes out again). Before that, neither is given (but see
 * mirror_progress_total_early_test.ts: a count of the source tree).
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import type { MirrorProgress } from "../src/mirror/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { BACKENDS, RACY_MS, tempDir, writeTree } from "./mirror_helpers.ts";

for (const b of BACKENDS) {
  Deno.test({
    name: `mirror local → ${b.name}: progress gives the totals once the walk and listing end`,
    ignore: b.ignore,
    async fn() {
      await using backend = await b.make();
      await using w = await tempDir();
      const src = join(w.dir, "src");
      await writeTree(src, { "a.txt": "aaaa", "b/c.txt": "cc", "d.txt": "dddddd" });
      const seen: MirrorProgress[] = [];
      const options = {
        sources: [src],
        target: backend.store,
        targetPrefix: "p",
        statePath: join(w.dir, "s.db"),
        racyWindowMs: RACY_MS,
        onProgress: (p: MirrorProgress) => seen.push({ ...p }),
      };
      const r = await mirror(options);
      assertEquals([r.transferred, r.bytes], [3, 12]);
      const withTotals = seen.filter((p) => p.total !== undefined);
      assert(withTotals.length > 0, JSON.stringify(seen));
      // Never short of what is done, and at the end, what was done.
      for (const p of withTotals) {
        assert(p.total! >= p.done && p.totalBytes! >= p.bytes, JSON.stringify(p));
      }
      const last = seen.at(-1)!;
      assertEquals([last.done, last.total, last.bytes, last.totalBytes], [3, 3, 12, 12]);
      // As soon as known: all three files, 12 bytes.
      assertEquals([withTotals[0]!.total, withTotals[0]!.totalBytes], [3, 12]);
      // A run that deletes, changes and keeps ends with its total done too.
      await Deno.remove(join(src, "a.txt"));
      await Deno.writeTextFile(join(src, "d.txt"), "DDDDDDD");
      seen.length = 0;
      const again = await mirror({ ...options, delete: true });
      assertEquals([again.transferred, again.deleted, again.unchanged], [1, 1, 1]);
      const end = seen.at(-1)!;
      assertEquals([end.total, end.totalBytes], [end.done, end.bytes], JSON.stringify(seen));
      // Store → local: the same.
      seen.length = 0;
      const down = await mirror({
        sources: [backend.store],
        sourcePrefix: "p",
        target: join(w.dir, "down"),
        statePath: join(w.dir, "down.db"),
        onProgress: options.onProgress,
      });
      assertEquals([down.transferred, down.bytes], [2, 9]);
      const downEnd = seen.at(-1)!;
      assertEquals([downEnd.done, downEnd.total, downEnd.totalBytes], [2, 2, 9]);
    },
  });
}
