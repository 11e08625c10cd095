/**
 * A download refused in offline mode named "--offline, the offline option"
 * as what turned it on, to a `vc` user (who has no option to change) and to
 * a library user (who has no flag) alike; and a store's refusal suggested
 * "(VC_OFFLINE=1, --offline, the offline option)" to both. The command line
 * now names its flag, the variable and the config file key; the library its
 * option, the variable and the key.
 */
import { join } from "node:path";
import { toFileUrl } from "../src/path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { offlineSwitch } from "../src/cache/offline_switch.ts";
import { OfflineError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("offline mode's messages: the CLI names --offline, the library the offline option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-offline-surface-" });
  try {
    await Deno.writeTextFile(join(dir, "a.csv"), "x\n");
    const uri = toFileUrl(join(dir, "a.csv")).href;
    const io = memoryIo({ cwd: dir, env: { HOME: dir, VC_CACHE_DIR: join(dir, "cli") } });
    assertEquals(await runCli(["cache", "get", uri, "--offline"], io), 1);
    assertStringIncludes(
      io.stderr(),
      "offline mode is on (--offline; drop --offline to download it)",
    );
    assert(!io.stderr().includes("option"), io.stderr());

    await using cache = new AssetCache({
      cacheDir: join(dir, "lib"),
      configPath: false,
      env: {},
      offline: true,
    });
    const error = await assertRejects(() => cache.cache(uri), OfflineError);
    assertStringIncludes(error.message, "(the offline option; pass offline: false to download it)");
    assert(!error.message.includes("--offline"), error.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("how to turn offline mode on: what each surface can change", () => {
  const cli = offlineSwitch("cli default").how;
  assertEquals(cli, '--offline, VC_OFFLINE=1 or "offline": true in the config file');
  assertEquals(offlineSwitch("cli env VC_OFFLINE"), {
    on: "VC_OFFLINE",
    off: "unset VC_OFFLINE",
    how: cli,
  });
  assertEquals(offlineSwitch("cli option").on, "--offline");
  const lib = offlineSwitch("default").how;
  assertEquals(lib, 'the offline option, VC_OFFLINE=1 or "offline": true in the config file');
  assertEquals(offlineSwitch("option").how, "the offline option");
});
