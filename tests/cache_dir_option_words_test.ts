/**
 * A script gives the cache dir as `new AssetCache({ cacheDir })` (or
 * VC_CACHE_DIR), never `--cache-dir`; the errors about an unusable cache dir
 * said "set --cache-dir / VC_CACHE_DIR ...", a flag the script never typed.
 * The library now names the cacheDir option, and `vc` (its error printer,
 * and prefill's failures) still names its `--cache-dir` flag.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../mod.ts";
import { withFlagNames } from "../src/cli/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("AssetCache with a file for cacheDir: the error names the cacheDir option, no flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cache_dir_words_" });
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await Deno.writeTextFile(`${dir}/not_a_dir`, "x");
    await using cache = new AssetCache({ cacheDir: `${dir}/not_a_dir`, configPath: false });
    const e = await assertRejects(() => cache.cache(`file://${dir}/a.txt`));
    const message = (e as Error).message;
    assertStringIncludes(message, "is not a directory (it is a file); set the cacheDir option");
    assertEquals(message.includes("--cache-dir"), false, message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc with a file for --cache-dir: the error still names --cache-dir", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.txt", "a");
  const file = await ws.write("not_a_dir", "x");
  const r = await ws.run(["cache", "get", `${ws.bucket}/a.txt`, "--cache-dir", file]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(
    r.stderr,
    "is not a directory (it is a file); set --cache-dir or VC_CACHE_DIR",
  );
  assertEquals(r.stderr.includes("cacheDir option"), false, r.stderr);
});

Deno.test("withFlagNames: each named option becomes its flag, other text stays", () => {
  assertEquals(
    withFlagNames(
      "make it writable or set the cacheDir option / VC_CACHE_DIR to another directory",
    ),
    "make it writable or set --cache-dir / VC_CACHE_DIR to another directory",
  );
  assertEquals(withFlagNames("a cacheDir of your own"), "a cacheDir of your own");
});
