/**
 * A script whose `--allow-read` / `--allow-write` leave out the cache dir
 * got Deno's bare `NotCapable` (`cache()` of a cached entry, `ls()`,
 * `invalidate()`), or a `VcError` saying the cache dir "is not writable …
 * run as the cache's owner or make it writable" (`prune`, `verify`,
 * `delete`, a download), as if the file system had refused. Each is an
 * `AccessDeniedError` naming the cache dir and the permissions to grant;
 * nothing is removed.
 */
import { AssetCache } from "../mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);
const MOD = new URL("mod.ts", ROOT).href;

Deno.test("AssetCache without read or write permission for its cache dir: AccessDeniedError naming the flags", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-no-perm-" });
  try {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
    await Deno.writeTextFile(`${dir}/src/b.txt`, "b");
    const cacheDir = `${dir}/cache`;
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      await cache.cache(`file://${dir}/src/a.txt`);
    }
    const script = `
      import { AssetCache, AccessDeniedError } from ${JSON.stringify(MOD)};
      const cache = new AssetCache({ cacheDir: ${
      JSON.stringify(cacheDir)
    }, configPath: false, env: {} });
      const a = ${JSON.stringify(`file://${dir}/src/a.txt`)};
      const calls = Deno.args[0] === "read"
        ? [() => cache.cache(a), () => cache.ls(), () => cache.invalidate(a), () => cache.prune({ maxBytes: 0 }),
           () => cache.verify(), () => cache.delete(a)]
        : [() => cache.cache(${JSON.stringify(`file://${dir}/src/b.txt`)}), () => cache.delete(a)];
      for (const call of calls) {
        try { await call(); console.log("ok"); } catch (e) {
          console.log((e instanceof AccessDeniedError ? "AccessDeniedError: " : e.constructor.name + ": ") + e.message);
        }
      }`;
    await Deno.writeTextFile(`${dir}/script.ts`, script);
    const run = async (which: string, read: string, write: string) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          `--allow-read=${read}`,
          `--allow-write=${write}`,
          `${dir}/script.ts`,
          which,
        ],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim().split("\n");
    };
    const lines = [
      ...await run("read", `${dir}/script.ts,${dir}/src,${ROOT.pathname}`, cacheDir),
      ...await run("write", `${dir}`, `${dir}/elsewhere`),
    ];
    assertEquals(lines.length, 8, lines.join("\n"));
    for (const line of lines) {
      assertStringIncludes(line, "AccessDeniedError: ");
      assertStringIncludes(line, `permission for its cache dir ${cacheDir}`);
      assertStringIncludes(line, `run with --allow-read=${cacheDir} --allow-write=${cacheDir}`);
    }
    // Nothing was removed.
    assertEquals(await Deno.readTextFile(`${cacheDir}/file${dir}/src/a.txt`), "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
