/**
 * `mirror()` run by a script whose `--allow-read` / `--allow-write` leave out
 * its source or the cache dir holding its state file: an `AccessDeniedError`
 * naming the directory and the flag to add. The source was an
 * `InvalidInputError`, and the state file's refusal advised removing the
 * state file (which would only cost the next run a hash of every file).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";

const MIRROR = new URL("../src/mirror/mod.ts", import.meta.url).href;

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
    await Deno.writeTextFile(
      `${dir}/script.ts`,
      `import { mirror } from ${JSON.stringify(MIRROR)};
try {
  await mirror({ sources: [${JSON.stringify(src)}], target: ${
        JSON.stringify(`file://${target}`)
      }, cacheDir: ${JSON.stringify(cache)} });
  console.log("ok");
} catch (e) { console.log(e.constructor.name + ": " + e.message); }`,
    );
    const run = async (flags: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "--config",
          new URL("../deno.json", import.meta.url).pathname,
          ...flags,
          `${dir}/script.ts`,
        ],
        env: { NO_COLOR: "1" },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim();
    };
    const checkout = new URL("..", import.meta.url).pathname;
    const source = await run([`--allow-read=${dir}/script.ts,${checkout}`]);
    assertStringIncludes(source, `AccessDeniedError: mirror source ${src} cannot be read`);
    assertStringIncludes(source, `run with --allow-read=${src}`);
    const state = await run([
      `--allow-read=${dir},${checkout}`,
      `--allow-write=${target}`,
    ]);
    assertStringIncludes(state, `AccessDeniedError: mirror state file ${cache}/`);
    assertStringIncludes(state, `this script may not write ${cache} (`);
    assertStringIncludes(state, `run with --allow-read=${cache} --allow-write=${cache}`);
    // Not the advice for a damaged state file.
    assertEquals(state.includes("remove it"), false, state);
    assertEquals(await run([`--allow-read=${dir},${checkout}`, `--allow-write=${dir}`]), "ok");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
