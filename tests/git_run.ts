/**
 * `git` run in a test's own repository, shielded from the machine's and the
 * user's git configuration, with a fixed author: for the tests of
 * `vc merge-driver`, which set git up to run it.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** Runs `git ARGS` in `cwd`: its exit code and its stdout and stderr together. */
export async function git(cwd: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("git", {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: {
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.invalid",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.invalid",
    },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** `git ARGS` in `cwd` that must succeed (asserted, naming the command): its output. */
export function gitOk(cwd: string): (...args: string[]) => Promise<string> {
  return async (...args: string[]) => {
    const r = await git(cwd, ...args);
    assertEquals(r.code, 0, `git ${args.join(" ")}: ${r.out}`);
    return r.out;
  };
}

/**
 * A new git repository in `cwd` (branch `main`) whose merge driver `vc`
 * runs this checkout's `vc merge-driver PARAMS`; the {@linkcode gitOk} of it.
 */
export async function repoWithMergeDriver(
  cwd: string,
  params = "%O %A %B",
): Promise<(...args: string[]) => Promise<string>> {
  const ok = gitOk(cwd);
  await ok("init", "-q", "-b", "main", ".");
  await ok(
    "config",
    "merge.vc.driver",
    `"${Deno.execPath()}" run -A --no-prompt "${CLI}" merge-driver ${params}`,
  );
  return ok;
}
