// A record journal is plain text under the cache dir: a restored CI cache, a
// hand edit or damage may put any name before a line's tab. A name that no
// download writes (`../../x`, `/abs/x`, `a/b`, binary garbage longer than a
// file name may be) names no entry: `ls`, `verify` and `prune` never read,
// list or delete a file through it (outside the cache dir above all), and
// never fail on it.
import { assert, assertEquals } from "./assert.ts";
import { oneFileSource } from "./one_file_source.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { join, relative } from "node:path";

Deno.test("cache ls/verify/prune: a journal line naming a path outside its directory is no entry", async () => {
  await using source = await oneFileSource("vc-journal-hostile-");
  const { root, cacheDir, uri } = source;
  const victim = join(root, "victim.txt");
  await Deno.writeTextFile(victim, "not the cache's\n");
  let local: string;
  {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    local = await cache.cache(uri);
  }
  const { journalPath } = recordPathsOf(cacheDir, local);
  const dataDir = join(local, "..");
  const up = relative(dataDir, victim);
  assert(up.startsWith(".."), up);
  const record = (name: string) =>
    `${name}\t${
      JSON.stringify({
        v: 1,
        uri,
        etag: "00000000000000000000000000000000",
        size: 16,
        validatedAt: "2026-01-01T00:00:00.000Z",
        md5: "00000000000000000000000000000000",
      })
    }\n`;
  const garbage = "\u0001\u00ff".repeat(200);
  await Deno.writeTextFile(
    journalPath,
    record(up) + record(victim) + record("x/../../y") + record("..") + record(garbage),
    { append: true },
  );
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
  const listed = await cache.ls();
  assertEquals(listed.map((e) => e.path), [local]);
  const verified = await cache.verify();
  assertEquals(verified.corrupt, []);
  const pruned = await cache.prune({ maxBytes: 0 });
  assertEquals(pruned.removed.map((e) => e.path), [local]);
  assertEquals(await Deno.readTextFile(victim), "not the cache's\n");
});
