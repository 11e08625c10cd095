/**
 * A script gives settings as options (`new AssetCache({ cacheDir })`,
 * `mirror({ sourcePrefix, statePath })`), never flags; the errors about an
 * unusable cache dir said "set --cache-dir / VC_CACHE_DIR ...", a source
 * outside the prefix "is not inside --source-prefix", a bad state file
 * "pass --state ...": flags the script never typed. The library now names
 * the option, and `vc` (its error printer, prefill's failures, mirror's
 * warnings: `withFlagNames`) still names its flag.
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

Deno.test("withFlagNames: a path that holds an option's words is left as it is", () => {
  // The state file's path names the option's words; only vc's own advice
  // becomes the flag (a cache dir's path: flag_names_user_input_test.ts).
  assertEquals(
    withFlagNames("state file /m/the statePath option.db (the statePath option)"),
    "state file /m/the statePath option.db (--state)",
  );
});

Deno.test("mirror(): a source outside sourcePrefix names the option; vc mirror names --source-prefix", async () => {
  const { mirror } = await import("../src/mirror/mod.ts");
  const dir = await Deno.makeTempDir({ prefix: "vc_source_prefix_words_" });
  try {
    await Deno.mkdir(`${dir}/src`);
    const e = await assertRejects(() =>
      mirror({
        sources: [`${dir}/src`],
        target: `file://${dir}/bucket`,
        sourcePrefix: `${dir}/elsewhere`,
        statePath: `${dir}/s.db`,
      })
    );
    const message = (e as Error).message;
    assertStringIncludes(message, "is not inside the sourcePrefix option");
    assertEquals(message.includes("--"), false, message);
    assertStringIncludes(withFlagNames(message), "is not inside --source-prefix");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror(): a state path that is a directory names the statePath option; vc says --state", async () => {
  const { mirror } = await import("../src/mirror/mod.ts");
  const dir = await Deno.makeTempDir({ prefix: "vc_state_path_words_" });
  try {
    await Deno.mkdir(`${dir}/src`);
    await Deno.mkdir(`${dir}/state_dir`);
    const e = await assertRejects(() =>
      mirror({
        sources: [`${dir}/src`],
        target: `file://${dir}/bucket`,
        statePath: `${dir}/state_dir`,
      })
    );
    const message = (e as Error).message;
    assertStringIncludes(message, "pass the statePath option with a file path");
    assertStringIncludes(withFlagNames(message), "pass --state with a file path");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
