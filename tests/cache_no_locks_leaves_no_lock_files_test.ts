/**
 * On a file system without locks (NFS without its lock daemon, Lustre
 * without `-o flock`), each download first creates its entry's lock file
 * (`.<name>.vc-tmp-0-shared`), finds it cannot be locked and goes on with a
 * temp file of its own. The lock file stayed behind, empty: one per entry
 * ever downloaded, never removed (a sweep removes one only under its lock,
 * which such a file system never gives), so a CI cache of 100,000 entries
 * kept 100,000 empty dot files beside them, archived and restored on every
 * run. An empty lock file nobody could hold is removed where it was made.
 */
import { dirname, join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals } from "./assert.ts";
import { withoutLocks } from "./without_locks.ts";

Deno.test("no locks: downloads leave no empty lock file beside each cached copy", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_no_locks_lock_files_" });
  try {
    await using store = new MemoryStore();
    for (const k of ["a.csv", "b.csv", "c.csv"]) {
      await store.put(`d/${k}`, new TextEncoder().encode(`content of ${k}`));
    }
    const warnings: string[] = [];
    let dataDir = "";
    await withoutLocks(async () => {
      await using cache = new AssetCache({
        cacheDir: join(dir, "cache"),
        openStore: () => Promise.resolve(store),
        warn: (m) => warnings.push(m),
      });
      for (const k of ["a.csv", "b.csv", "c.csv"]) {
        const path = await cache.cache(`s3://bucket/d/${k}`);
        assertEquals(await Deno.readTextFile(path), `content of ${k}`);
        dataDir = dirname(path);
      }
    });
    const names = [...Deno.readDirSync(dataDir)]
      .map((e) => e.name).sort();
    assertEquals(names, ["a.csv", "b.csv", "c.csv"]);
    assertEquals(warnings.filter((w) => w.includes("gives no file locks")).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
