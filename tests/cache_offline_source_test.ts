/**
 * A download refused in offline mode said "unset VC_OFFLINE or drop
 * --offline" whatever had turned offline mode on: with `"offline": true` in
 * the config file, the user looked for a variable and a flag that were not
 * there. The message now names the setting that did, and how to undo it.
 */
import { join } from "node:path";
import { toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { OfflineError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

Deno.test("offline from the config file: vc names the file, not VC_OFFLINE or --offline", async () => {
  await withWorkspace(async (dir, vc) => {
    const config = join(dir, "home", ".config", "vc", "config.json");
    await Deno.mkdir(join(dir, "home", ".config", "vc"), { recursive: true });
    await Deno.writeTextFile(config, '{"offline": true}\n');
    await Deno.writeTextFile(join(dir, "bucket", "a.csv"), "x\n");
    const uri = toFileUrl(join(dir, "bucket", "a.csv")).href;
    const run = await vc(["cache", "get", uri]);
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, `offline mode is on ("offline": true in ${config}`);
    assert(!run.stderr.includes("unset VC_OFFLINE"), run.stderr);
    const env = await vc(["cache", "get", uri], { VC_OFFLINE: "1" });
    assertStringIncludes(env.stderr, "offline mode is on (VC_OFFLINE; unset VC_OFFLINE");
    const flag = await vc(["cache", "get", uri, "--offline"], { VC_OFFLINE: "0" });
    assertStringIncludes(flag.stderr, "drop --offline");
  });
});

Deno.test("offline from the environment of an AssetCache: the message names VC_OFFLINE", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-offline-source-" });
  try {
    await Deno.writeTextFile(join(dir, "a.csv"), "x\n");
    const cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: { VC_OFFLINE: "1" },
    });
    try {
      assertEquals(cache.offlineSwitch.on, "VC_OFFLINE");
      const error = await assertRejects(
        () => cache.cache(toFileUrl(join(dir, "a.csv")).href),
        OfflineError,
      );
      assertStringIncludes(error.message, "(VC_OFFLINE; unset VC_OFFLINE to download it)");
    } finally {
      await cache.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
