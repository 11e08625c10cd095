/**
 * `mirror()` run by a script whose `--allow-read` / `--allow-write` leave out
 * its source or the cache dir holding its state file: an `AccessDeniedError`
 * naming the directory and the flag to add. The source was an
 * `InvalidInputError`, and the state file's refusal advised removing the
 * state file (which would only cost the next run a hash of every file).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { runLimitedScript } from "./limited_permission_script.ts";

Deno.test("mirror() names the source or cache dir the script may not read or write, and the flag to add", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-mirror-permission-" }));
  try {
    const [src, target, cache] = ["src", "target", "cache"].map((d) => `${dir}/${d}`) as [
      string,
      string,
      string,
    ];
    await Deno.mkdir(src);
    await Deno.writeTextFile(`${src}/a.txt`, "a");
    const script = {
      imports: [],
      importsFrom: { "src/mirror/mod.ts": ["mirror"] },
      body: `await show(mirror({ sources: [${JSON.stringify(src)}], target: ${
        JSON.stringify(`file://${target}`)
      }, cacheDir: ${JSON.stringify(cache)} }));`,
      grantDir: false,
      clearEnv: true,
    };
    const run = async (flags: string[]) =>
      (await runLimitedScript(dir, script, flags, { NO_COLOR: "1" })).join("\n");
    const source = await run([]);
    assertStringIncludes(source, `AccessDeniedError: mirror source ${src} cannot be read`);
    assertStringIncludes(source, `run with --allow-read=${src}`);
    const state = await run([
      `--allow-read=${dir}`,
      `--allow-write=${target}`,
    ]);
    assertStringIncludes(state, `AccessDeniedError: mirror state file ${cache}/`);
    assertStringIncludes(state, `this script may not write ${cache} (`);
    assertStringIncludes(state, `run with --allow-read=${cache} --allow-write=${cache}`);
    // Not the advice for a damaged state file.
    assertEquals(state.includes("remove it"), false, state);
    assertEquals(await run([`--allow-read=${dir}`, `--allow-write=${dir}`]), "ok");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
