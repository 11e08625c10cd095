/**
 * vc makes a cache dir private (0700), but one that already exists is taken
 * as it is. A `VC_CACHE_DIR=/tmp/vc-cache` that another local user made
 * first (`mkdir -m 777`, before the victim's first run) was used without a
 * word: whoever may write into it can replace a copy after it was verified,
 * or plant the `s3/<bucket>/` directories the downloads then go into, and
 * every later `cache()` serves their bytes. The first use of such a cache
 * dir in a process now warns, naming it and the `chmod` that fixes it; a
 * cache dir only its owner (or a group, as a shared cache is made) may
 * write to draws nothing.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";

const ignore = Deno.build.os === "windows"; // access there is an ACL's, not a mode's

Deno.test({
  name: "a cache dir every user may write to is warned about once, naming it; a private one is not",
  ignore,
  fn: async () => {
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_open_cache_dir_" }));
    try {
      await Deno.mkdir(`${root}/bucket`);
      await Deno.writeTextFile(`${root}/bucket/a.txt`, "a");
      await Deno.writeTextFile(`${root}/bucket/b.txt`, "b");
      const cases: [number, number][] = [[0o777, 1], [0o1777, 1], [0o2770, 0], [0o700, 0]];
      for (const [mode, expected] of cases) {
        const cacheDir = `${root}/cache-${mode.toString(8)}`;
        await Deno.mkdir(cacheDir);
        await Deno.chmod(cacheDir, mode);
        const warnings: string[] = [];
        await using cache = new AssetCache({
          cacheDir,
          configPath: false,
          env: {},
          onWarning: ({ message }) => warnings.push(message),
        });
        await cache.cache(`file://${root}/bucket/a.txt`);
        await cache.cache(`file://${root}/bucket/b.txt`);
        await cache.cache(`file://${root}/bucket/a.txt`);
        assertEquals(warnings.length, expected, `${mode.toString(8)}: ${warnings.join("\n")}`);
        if (expected > 0) {
          assert(warnings[0]!.includes(cacheDir), warnings[0]);
          assert(warnings[0]!.includes("every user"), warnings[0]);
          assert(warnings[0]!.includes(`chmod o-w ${cacheDir}`), warnings[0]);
        }
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "vc cache get and a warm vc path warn of a cache dir every user may write to",
  ignore,
  fn: async () => {
    await using ws = await CliWorkspace.create();
    await Deno.mkdir(ws.cacheDir);
    await Deno.chmod(ws.cacheDir, 0o777);
    const uri = `${ws.bucket}/a.1.0.0.txt`;
    await Deno.writeTextFile(`${ws.bucketDir}/a.1.0.0.txt`, "a");
    await ws.write("versioned_assets.json", JSON.stringify({ "/a.txt": "1.0.0" }));
    const said = (stderr: string) =>
      stderr.split("\n").filter((l) => l.startsWith("vc: warning:") && l.includes(ws.cacheDir));
    const get = await ws.run(["cache", "get", uri]);
    assertEquals(get.code, 0, get.stderr);
    assertEquals(said(get.stderr).length, 1, get.stderr);
    // Warm: the lean `vc path` hands the run to the full command, which warns.
    for (let i = 0; i < 2; i++) {
      const path = await ws.vc("path", "/a.txt");
      assertEquals(path.code, 0, path.stderr);
      assertEquals(said(path.stderr).length, 1, path.stderr);
    }
    // The lean entry of a `vc` process (no warning channel) leaves it to the full command.
    const lean = () =>
      hotPath(
        ["path", "/a.txt", "--bucket", ws.bucket],
        memoryIo({ env: ws.env, cwd: ws.dir }),
      );
    assertEquals(await lean(), undefined);
    await Deno.chmod(ws.cacheDir, 0o700);
    assertEquals(await lean(), 0);
    const quiet = await ws.vc("path", "/a.txt");
    assertEquals([quiet.code, quiet.stderr], [0, ""]);
  },
});
