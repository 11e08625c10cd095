/**
 * `vc ls`, `vc ls-remote`, `vc versions` and `vc path-remote` download
 * nothing, but they resolve the cache directory all the same (the settings
 * every manifest command reads): without HOME (a service account, a minimal
 * container) each failed with "cannot determine the default cache
 * directory: HOME is not set (… or pass --cache-dir)", and `--cache-dir`
 * was then refused as doing nothing for them. It is taken again there, so
 * the way out the error names works; `--lock` and `--frozen` stay refused.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc ls, ls-remote, versions and path-remote without HOME run with --cache-dir", async () => {
  await withWorkspace(async (dir, _vc, vc) => {
    await Deno.writeTextFile(`${dir}/a.csv`, "a\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "add");
    const homeless = { HOME: "", VC_CACHE_DIR: "", XDG_CACHE_HOME: "" };
    for (
      const command of [["ls"], ["ls-remote"], ["versions", "/a.csv"], ["path-remote", "/a.csv"]]
    ) {
      const without = await vc(command, homeless);
      assertEquals(without.code, 1, without.stderr);
      assertStringIncludes(without.stderr, "pass --cache-dir");
      const given = await vc([...command, "--cache-dir", `${dir}/own-cache`], homeless);
      assertEquals(given.code, 0, `${command[0]}: ${given.stderr}`);
    }
  });
});
