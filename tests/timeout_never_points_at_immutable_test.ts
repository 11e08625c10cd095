/**
 * `timeout: Infinity` (or `--timeout never`, `VC_CACHE_TIMEOUT=inf`, a
 * config file's `"timeout": 1e999`) is what someone asking for "never
 * revalidate" types; it was refused with no word of `immutableBuckets`
 * (and `cache()`'s `immutable`), which is how vc says that. The refusal
 * now points there.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { loadConfigFile, parseDurationSeconds } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";

Deno.test("a timeout of forever points at immutableBuckets", async () => {
  const e = assertThrows(
    () => new AssetCache({ cacheDir: "/nonexistent/vc", timeout: Infinity, configPath: false }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "got Infinity");
  assertStringIncludes(e.message, "immutableBuckets");
  for (const text of ["never", "inf", "Infinity", "forever"]) {
    const t = assertThrows(() => parseDurationSeconds(text, "--timeout"), InvalidInputError);
    assertStringIncludes(t.message, "VC_IMMUTABLE_BUCKETS");
  }
  // Not for a plain typo.
  const typo = assertThrows(() => parseDurationSeconds("1x", "--timeout"), InvalidInputError);
  if (typo.message.includes("IMMUTABLE")) throw new Error(typo.message);
  const dir = await Deno.makeTempDir({ prefix: "vc-timeout-never-" });
  try {
    const file = join(dir, "config.json");
    await Deno.writeTextFile(file, '{"timeout": 1e999}');
    const c = await assertRejects(() => loadConfigFile(file), InvalidInputError);
    assertStringIncludes(c.message, '"immutableBuckets"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
