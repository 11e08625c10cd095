/**
 * `vc cache prune` / `verify` in a cache dir shared by several users, run by
 * one who may not read a directory's record journal (another user's, mode
 * 600): the copies in that directory were taken for data without a record
 * and deleted ("removed … (data without a readable record)"), every one of
 * them, though their records were there. A journal this process is refused
 * reading is now no sign of a missing record: the data stays.
 *
 * Runs the prune as user `nobody` with `setpriv`: ignored unless root.
 */
import { assert, assertEquals } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

const HOUR = 3_600_000;

Deno.test({
  name: "prune: data whose records this process may not read is not taken for orphans " +
    "(ignored unless root: prunes as nobody)",
  ignore: !canRunAsNobody,
  fn: pruneAsNobody,
});

async function pruneAsNobody(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-prune-unreadable-" });
  try {
    const cacheDir = join(dir, "cache");
    const paths: string[] = [];
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      for (const name of ["a.csv", "b.csv"]) {
        await Deno.writeTextFile(join(dir, name), `${name}\n`);
        paths.push(await cache.cache(pathToFileURL(join(dir, name)).href));
      }
    }
    const journal = recordPathsOf(cacheDir, paths[0]!).journalPath;
    // Written hours ago: past the grace a data file without a record gets.
    const then = new Date(Date.now() - 3 * HOUR);
    for (const p of paths) await Deno.utime(p, then, then);
    // A cache dir users share; the records are their writer's alone.
    await new Deno.Command("chmod", { args: ["-R", "a+rwX", dir] }).output();
    await Deno.chmod(journal, 0o600);
    const maintenance = new URL("../src/cache/maintenance.ts", import.meta.url).href;
    // Nothing to prune by size.
    const script = `import { pruneEntries } from ${JSON.stringify(maintenance)};
const r = await pruneEntries(${JSON.stringify(cacheDir)}, { maxBytes: 1e12 });
console.log(JSON.stringify(r));`;
    const out = await asNobody(dir, { evalCode: script });
    assertEquals(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout) as { orphans: string[] };
    assertEquals(r.orphans, []);
    for (const p of paths) assert((await Deno.lstat(p)).isFile, `${p} kept`);
  } finally {
    forgetRecords();
    await Deno.remove(dir, { recursive: true });
  }
}
