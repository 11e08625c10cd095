/**
 * A script run without env permission gets the default cache directory
 * refused with the flag to run with. That flag named `HOME` alone: a user
 * who followed it, with `XDG_CACHE_HOME` set, got a second cache under
 * `~/.cache/vc` (vc takes a variable it may not read for unset, without a
 * word), not the `$XDG_CACHE_HOME/vc` that the `vc` CLI fills; and likewise
 * the config file under `~/.config`, not `$XDG_CONFIG_HOME`'s. The flag names
 * every variable that places the directory, so the advice leads to the CLI's.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;
const CHECKOUT = new URL("..", import.meta.url).pathname;

Deno.test({
  name: "default cache dir: running with the --allow-env its error names gives the vc CLI's " +
    "directory",
  ignore: Deno.build.os !== "linux", // XDG_CACHE_HOME is Linux's (and other Unixes')
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-default-cache-dir-env-advice-" });
    try {
      await Deno.mkdir(`${dir}/bucket`);
      await Deno.writeTextFile(`${dir}/bucket/a.txt`, "a");
      await Deno.writeTextFile(
        `${dir}/script.ts`,
        `import { cache } from ${JSON.stringify(MOD)};
try { console.log("path: " + await cache(${JSON.stringify(`file://${dir}/bucket/a.txt`)})); }
catch (e) { console.log(e.constructor.name + ": " + e.message); }`,
      );
      const run = async (allowEnv: string[]) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--no-prompt",
            `--allow-read=${dir},${CHECKOUT}`,
            `--allow-write=${dir}`,
            ...allowEnv,
            `${dir}/script.ts`,
          ],
          clearEnv: true,
          env: {
            HOME: `${dir}/home`,
            XDG_CACHE_HOME: `${dir}/xdg-cache`,
            XDG_CONFIG_HOME: `${dir}/xdg-config`,
            NO_COLOR: "1",
            PATH: Deno.env.get("PATH") ?? "",
          },
          stdout: "piped",
          stderr: "piped",
        }).output();
        assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
        return new TextDecoder().decode(out.stdout).trim();
      };
      const refused = await run([]);
      assertStringIncludes(refused, "cannot determine the default cache directory");
      const flag = refused.match(/--allow-env=[A-Z_]+(?:,[A-Z_]+)*/)?.[0];
      assert(flag !== undefined, `no --allow-env=... in ${JSON.stringify(refused)}`);
      // Where the CLI (which may read them all) puts it: $XDG_CACHE_HOME/vc.
      assertEquals(await run([flag]), `path: ${dir}/xdg-cache/vc/file${dir}/bucket/a.txt`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
