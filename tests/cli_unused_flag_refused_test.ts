/**
 * `vc ls`, `vc ls-remote` and `vc versions` took `--cache-dir`, `--lock` and
 * `--frozen` (the flags every manifest command shares) and read none of
 * them: `vc versions P --frozen --lock missing.json` printed the versions,
 * exit 0, as if the lock had been checked; `vc path-remote` took
 * `--cache-dir` the same way. Each is refused, saying the command does
 * nothing with it, and `--help` no longer offers it there.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc ls, ls-remote, versions and path-remote refuse the shared flags they do not read", async () => {
  await withWorkspace(async (dir, _vc, vc) => {
    await Deno.writeTextFile(`${dir}/a.csv`, "a\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "add");

    for (const command of [["ls"], ["ls-remote"], ["versions", "/a.csv"]]) {
      const r = await vc([...command, "--lock", "missing.json", "--frozen", "--cache-dir", "c"]);
      assertEquals(r.code, 2, r.stderr);
      assertStringIncludes(
        r.stderr,
        `--lock, --frozen and --cache-dir do nothing for vc ${command[0]}:`,
      );
      assertEquals(r.stdout, "");
      const help = ok(await vc([...command, "--help"]), "help").stdout;
      assertEquals(/--cache-dir|--lock|--frozen/.test(help), false, help);
    }

    const remote = await vc(["path-remote", "/a.csv", "--cache-dir", "c"]);
    assertEquals(remote.code, 2, remote.stderr);
    assertStringIncludes(remote.stderr, "--cache-dir does nothing for vc path-remote:");
    // Its lock flags are read: --frozen refuses a version without a lock entry.
    const frozen = await vc(["path-remote", "/a.csv", "--frozen", "--lock", "other.json"]);
    assertEquals(frozen.code, 1, frozen.stderr);
    assertStringIncludes(frozen.stderr, "frozen");
  });
});
