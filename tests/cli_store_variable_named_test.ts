/**
 * A malformed `VC_REPO` or `VC_SERVE_STORE` failed with the value alone
 * (`vc: location "./repo " ends with whitespace …`), which did not say which
 * variable of the shell, a CI file or a unit file to fix; `VC_MANIFEST` and
 * the other settings name theirs. Now the variable is named too (exit 1, as
 * for any bad setting from the environment; a bad `--repo` stays a usage error).
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("cli: a malformed VC_REPO or VC_SERVE_STORE is named with its variable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: { args: string[]; env: Record<string, string>; says: string }[] = [
      { args: ["repo", "ls"], env: { VC_REPO: "./repo " }, says: 'VC_REPO: location "./repo "' },
      { args: ["repo", "ls"], env: { VC_REPO: "ftp://x/r" }, says: "VC_REPO: " },
      {
        args: ["serve", "expire"],
        env: { VC_SERVE_STORE: "./st\n" },
        says: 'VC_SERVE_STORE: location "./st\\n"',
      },
    ];
    for (const { args, env, says } of cases) {
      const io = memoryIo({ cwd: dir, env: { HOME: dir, ...env } });
      assertEquals(await runCli(args, io), 1, io.stderr());
      assertStringIncludes(io.stderr(), says);
    }
    const flag = memoryIo({ cwd: dir, env: { HOME: dir } });
    assertEquals(await runCli(["repo", "ls", "--repo", "./repo "], flag), 2, flag.stderr());
    assertStringIncludes(flag.stderr(), '--repo: location "./repo "');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
