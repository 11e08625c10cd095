/**
 * A reader of stderr that goes away (`vc prefill 2>&1 | head -5` in a CI
 * step, a log shipper that died) is no verdict on the command, as one of
 * stdout is not (cli_stdout_gone_test.ts): it finishes and exits with its own
 * code. A prefill with a failed item exited 0 when it could not print the
 * failure, which `set -o pipefail` then took for success.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals } from "./assert.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** Runs the CLI with its stdout discarded and its stderr read by nobody. */
async function withStderrGone(dir: string, args: string[]): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, CLI, ...args],
    cwd: dir,
    env: { HOME: join(dir, "home"), VC_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // The read end closes before the CLI has even started: every write to
  // stderr fails with EPIPE.
  await child.stderr.cancel();
  return (await child.status).code;
}

Deno.test("stderr gone: a prefill with a failed item still exits 1, one that succeeds 0", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_stderr_gone_" }));
  try {
    await Deno.mkdir(join(dir, "store"));
    await Deno.writeTextFile(join(dir, "store", "a.txt"), "a");
    const a = pathToFileURL(join(dir, "store", "a.txt")).href;
    const missing = pathToFileURL(join(dir, "store", "missing.txt")).href;
    await Deno.writeTextFile(join(dir, "bad.txt"), `${a}\n${missing}\n`);
    await Deno.writeTextFile(join(dir, "good.txt"), `${a}\n`);
    assertEquals(await withStderrGone(dir, ["prefill", "--list", "bad.txt"]), 1);
    assertEquals(await withStderrGone(dir, ["prefill", "--list", "bad.txt", "--json"]), 1);
    assertEquals(await withStderrGone(dir, ["prefill", "--list", "good.txt"]), 0);
    // A usage error stays a usage error.
    assertEquals(await withStderrGone(dir, ["prefill", "--concurrency", "0"]), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
