/**
 * A script calling `prefill()` gives options, never `vc prefill`'s flags:
 * a versioned path with no manifest failed saying "name one with
 * --manifest (with --list, ...)" and running out of open files said to lower
 * `--concurrency`. The failure now names prefill's `versioned` and
 * `concurrency` options; `vc prefill` still names its flags (see
 * prefill_list_versioned_no_manifest_test.ts), said by the command line's
 * `withFlagNames`, as every option the library names.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache, prefill } from "../mod.ts";
import { NO_MANIFEST, OUT_OF_FILES } from "../src/prefill/setting_words.ts";
import { withFlagNames } from "../src/cli/errors.ts";

Deno.test("prefill({ uris: ['/a.csv'] }) without versioned: the failure names the versioned option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_prefill_option_words_" });
  try {
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const summary = await prefill({ cache, uris: ["/a.csv"] });
    assertEquals(summary.failed.length, 1);
    const error = summary.failed[0]!.error;
    assertStringIncludes(error, "/a.csv is a versioned path, but no manifest was given");
    assertStringIncludes(error, "prefill's `versioned` option");
    assertEquals(error.includes("--"), false, error);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc prefill's words (withFlagNames): the options a failure names become its flags", () => {
  const missing =
    `/a.csv is a versioned path, but no manifest was given to resolve it: ${NO_MANIFEST.option}`;
  assertStringIncludes(withFlagNames(missing), "name one with --manifest (with --list,");
  assertEquals(withFlagNames(missing).includes("`versioned`"), false);
  const files = `os error 24${OUT_OF_FILES.option}`;
  assertStringIncludes(withFlagNames(files), "lower the concurrency, `--concurrency`");
  // Only at the end, as the library puts it: a key that merely holds the words is left alone.
  const other = `not found: s3://b/${NO_MANIFEST.option}/x`;
  assertEquals(withFlagNames(other), other);
});
