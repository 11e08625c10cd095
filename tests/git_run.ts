/**
 * `git` run in a test's own repository, shielded from the machine's and the
 * user's git configuration, with a fixed author: for the tests of
 * `vc merge-driver`, which set git up to run it.
 *
 * @module
 */

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
