/**
 * A version asked for in another Unicode spelling of its path (`café` typed
 * with `e` + a combining accent, NFD, where the bucket holds the precomposed
 * `é`, NFC) said "version 1.0.0 of /café.csv does not exist …; BUCKET has no
 * versions of it", which reads as wrong beside `vc ls` and `vc versions`:
 * the two spellings print alike. It names the spelling that has versions, as
 * `vc versions` and `vc update` do.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { tempDir } from "./versioned_helpers.ts";

const NFC = "/caf\u00e9.csv";
const NFD = "/cafe\u0301.csv";

Deno.test("a version of a path in the other Unicode spelling names the spelling that has it", async () => {
  await using dir = await tempDir("vc_missing_version_spelling_");
  await Deno.writeTextFile(join(dir.path, "a.csv"), "a\n");
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: join(dir.path, "bucket"),
    cache: new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false, env: {} }),
  });
  await vc.add(NFC, join(dir.path, "a.csv"));
  const error = await assertRejects(() => vc.path(NFD, "1.0.0"), NotFoundError);
  assertStringIncludes(
    error.message,
    `has no versions of it ("/cafe\\u0301.csv"), but "/caf\\u00e9.csv", which looks the same ` +
      "(Unicode NFC vs NFD), has 1.0.0: use that spelling",
  );
  // A path without versions in either spelling reads as before.
  const none = await assertRejects(() => vc.path("/none.csv", "1.0.0"), NotFoundError);
  assertStringIncludes(none.message, "has no versions of it");
  assertEquals(none.message.includes("use that spelling"), false);
});

Deno.test("vc cat PATH VERSION in the other spelling says which spelling has the version", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", NFC, "a.csv")).code, 0);
  const r = await ws.vc("cat", NFD, "1.0.0");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `"/caf\\u00e9.csv", which looks the same`);
  assertStringIncludes(r.stderr, "use that spelling");
});
