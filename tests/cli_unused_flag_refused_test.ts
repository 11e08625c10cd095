/**
 * `vc ls`, `vc ls-remote` and `vc versions` took `--lock` and `--frozen`
 * (flags every manifest command shares) and read neither: `vc versions P
 * --frozen --lock missing.json` printed the versions, exit 0, as if the lock
 * had been checked. Each is refused, saying the command does nothing with
 * it, and `--help` no longer offers it there. (`--cache-dir` is taken: each
 * resolves the cache dir, see cli_listing_cache_dir_without_home_test.ts.)
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc ls, ls-remote and versions refuse the shared flags they do not read", async () => {
  await withWorkspace(async (dir, _vc, vc) => {
    await Deno.writeTextFile(`${dir}/a.csv`, "a\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "add");

    for (const command of [["ls"], ["ls-remote"], ["versions", "/a.csv"]]) {
      const r = await vc([...command, "--lock", "missing.json", "--frozen"]);
      assertEquals(r.code, 2, r.stderr);
      assertStringIncludes(r.stderr, `--lock and --frozen do nothing for vc ${command[0]}:`);
      assertEquals(r.stdout, "");
      const help = ok(await vc([...command, "--help"]), "help").stdout;
      assertEquals(/--lock|--frozen/.test(help), false, help);
    }
    // Its lock flags are read: --frozen refuses a version without a lock entry.
    const frozen = await vc(["path-remote", "/a.csv", "--frozen", "--lock", "other.json"]);
    assertEquals(frozen.code, 1, frozen.stderr);
    assertStringIncludes(frozen.stderr, "frozen");
  });
});
