/**
 * A cache dir shared by several users: only a file's owner may set its
 * times, so another user's use of a copy never marked it used (the `utime`
 * failed, silently), and `vc cache prune --older-than …` removed a copy that
 * user used every day. A use of another user's copy now reads it, which moves
 * its access time where the mount updates it on reads (`relatime`, the
 * default, does at least once a day).
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root, and where
 * reads do not move access times (a `noatime` mount).
 */
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { pathToFileURL } from "node:url";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

const DAY_MS = 86_400_000;

/** Whether a read of a file whose access time is days old moves it here. */
function readsMoveAccessTime(): boolean {
  const path = Deno.makeTempFileSync({ prefix: "vc-atime-probe-" });
  try {
    Deno.writeTextFileSync(path, "x");
    const old = new Date(Date.now() - 10 * DAY_MS);
    Deno.utimeSync(path, old, Deno.statSync(path).mtime!);
    Deno.readFileSync(path);
    return Deno.statSync(path).atime!.getTime() > old.getTime();
  } finally {
    Deno.removeSync(path);
  }
}

Deno.test({
  name: "cache get of another user's copy marks it used, so prune keeps it (ignored unless " +
    "root, where reads move access times: runs vc as nobody)",
  ignore: !canRunAsNobody || !readsMoveAccessTime(),
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "vc-shared-last-use-" });
    try {
      await Deno.chmod(root, 0o755);
      const cacheDir = `${root}/cache`;
      await Deno.writeTextFile(`${root}/a.csv`, "a,b\n");
      const uri = pathToFileURL(`${root}/a.csv`).href;
      let local: string;
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
        local = await cache.cache(uri);
      }
      // Shared: the other user may read and write all of it, but owns nothing.
      await new Deno.Command("chmod", { args: ["-R", "a+rwX", cacheDir] }).output();
      const mtime = (await Deno.stat(local)).mtime!;
      const old = new Date(Date.now() - 10 * DAY_MS);
      await Deno.utime(local, old, mtime); // last used ten days ago
      const out = await asNobody(root, { vc: ["cache", "get", uri, "--cache-dir", cacheDir] });
      assertEquals([out.code, out.stdout.trim()], [0, local], out.stderr);
      const after = await Deno.stat(local);
      assert(after.atime!.getTime() > old.getTime() + DAY_MS, `still unused: ${after.atime}`);
      assertEquals(after.mtime?.getTime(), mtime.getTime(), "the copy's identity kept");
      {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
        const pruned = await cache.prune({ olderThan: 7 * 86_400 });
        assertEquals(pruned.removed.length, 0, "a copy used just now is kept");
      }
      assertEquals(await Deno.readTextFile(local), "a,b\n");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
