/**
 * A cache dir another user made private (mode 700: a `sudo vc …` that made
 * it), used by a user who may not enter it: `vc cache ls` failed with a bare
 * `Permission denied (os error 13): lstat '…/.meta'`, `verify`, `prune` and
 * `rm` called the cache dir "not writable" (it could not even be read), and
 * `get` told the user to make a record journal readable, which would not
 * do. Each now names the directory this user may not enter.
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { asNobody, cachedByRoot, canRunAsNobody } from "./as_nobody.ts";

Deno.test({
  name: "cache commands in a cache dir this user may not enter name that directory " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-closed-cache-dir-" });
    try {
      const { cacheDir, uri, path } = await cachedByRoot(dir);
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(join(dir, "a.csv"), 0o644);
      await Deno.chmod(cacheDir, 0o700);
      const closed = `this user may not enter the cache dir ${cacheDir}`;
      for (
        const args of [
          ["cache", "ls"],
          ["cache", "verify"],
          ["cache", "prune", "--max-size", "0"],
          ["cache", "rm", uri],
        ]
      ) {
        const out = await asNobody(dir, { vc: [...args, "--cache-dir", cacheDir] });
        assertEquals(out.code, 1, out.stderr);
        assertStringIncludes(out.stderr, closed, args.join(" "));
        assert(!out.stderr.includes("not writable"), out.stderr);
      }
      const get = await asNobody(dir, { vc: ["cache", "get", uri, "--cache-dir", cacheDir] });
      assertEquals(get.code, 1, get.stderr);
      assertStringIncludes(get.stderr, `this user may not enter ${cacheDir} `);
      assert((await Deno.readTextFile(path)) === "a\n");
    } finally {
      forgetRecords();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
