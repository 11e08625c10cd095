/**
 * `vc cache rm` of an entry whose data file cannot be deleted (its
 * directory read-only; on Windows, a file another program holds open)
 * removed the entry's record first and then failed: the entry vanished from
 * `vc cache ls` while its file stayed on disk, and a read-only cache no
 * longer served what it had. A failed removal now leaves the entry as it was.
 */
import { dirname, join } from "../src/path.ts";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  chmodTree,
  makeSharedTempDir,
  runDenoUnprivileged,
  UNPRIVILEGED_UNAVAILABLE,
} from "./unprivileged.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

Deno.test({
  name: "cache rm that cannot delete the data file keeps the entry listed and served " +
    "(subject runs unprivileged, so the barrier holds as root too)",
  ignore: UNPRIVILEGED_UNAVAILABLE !== undefined,
  async fn() {
    const dir = await makeSharedTempDir("vc-cache-rm-");
    try {
      await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
      const uri = pathToFileURL(join(dir, "a.csv")).href;
      const cacheDir = join(dir, "cache");
      const open = () => new AssetCache({ cacheDir, configPath: false, env: {}, timeout: 60_000 });
      let local: string;
      {
        await using cache = open();
        local = await cache.cache(uri);
      }
      // Everything writable to the subject but the data file's directory.
      await chmodTree(cacheDir, 0o777, 0o666);
      await Deno.chmod(dirname(local), 0o555);
      try {
        const run = await runDenoUnprivileged(
          ["run", "--allow-all", CLI, "cache", "rm", "--cache-dir", cacheDir, uri],
          { cwd: dir, env: { HOME: dir } },
        );
        assertEquals(run.code, 1, run.stderr);
        assertStringIncludes(run.stderr, uri);
        assertStringIncludes(run.stderr, "not writable");
      } finally {
        await chmodTree(cacheDir, 0o755, 0o644);
      }
      {
        await using cache = open();
        assertEquals((await cache.ls()).map((e) => [e.uri, e.path]), [[uri, local]]);
        assertEquals(await cache.cache(uri, { immutable: true }), local);
        // Once the file can go, rm removes the entry.
        assertEquals(await cache.delete(uri), true);
        assertEquals(await cache.ls(), []);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
