/**
 * `vc cache verify` in a cache dir shared by two users, one of whom cached a
 * copy with a umask of 077: the other cannot read that copy. It used to stop
 * the whole verify ("cannot verify the cache: the cache dir is not writable"),
 * leaving every other copy unchecked; now that copy is listed as not checked
 * (`unreadable` in `--json`, exit 1) and the rest are verified.
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { pathToFileURL } from "node:url";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

Deno.test({
  name: "cache verify: another user's unreadable copy is listed as not checked, the rest " +
    "are verified (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "vc-verify-unreadable-" });
    try {
      await Deno.chmod(root, 0o755);
      const cacheDir = `${root}/cache`;
      const uris: string[] = [];
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
        for (const name of ["a.csv", "b.csv", "c.csv"]) {
          await Deno.writeTextFile(`${root}/${name}`, `${name}\n`);
          uris.push(pathToFileURL(`${root}/${name}`).href);
        }
        for (const uri of uris) await cache.cache(uri);
        // A shared cache dir: others may enter it; b.csv's copy is its owner's only.
        await new Deno.Command("chmod", { args: ["-R", "go+rX", cacheDir] }).output();
        await Deno.chmod(cache.localPath(uris[1]!), 0o600);
      }
      const out = await asNobody(root, {
        vc: ["cache", "verify", "--json", "--cache-dir", cacheDir],
      });
      const { stdout, stderr } = out;
      assertEquals(out.code, 1, stderr);
      const doc = JSON.parse(stdout) as {
        ok: number;
        corrupt: unknown[];
        unreadable?: { uri: string; problem: string }[];
      };
      assertEquals([doc.ok, doc.corrupt.length], [2, 0], stdout);
      assertEquals(doc.unreadable?.map((u) => u.uri), [uris[1]], stdout);
      assertStringIncludes(doc.unreadable?.[0]?.problem ?? "", "Permission denied");
      assert(!stderr.includes("cannot verify the cache"), stderr);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
