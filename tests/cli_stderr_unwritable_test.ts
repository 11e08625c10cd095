/**
 * Standard error is where vc says things beside its result, never the
 * result: a stderr that cannot be written (a full disk, a log reader that
 * went away) loses the note, not the command's output or its exit code.
 * `vc ls-remote` of a bucket holding a key it warns about printed nothing on
 * stdout and exited 1 with stderr on /dev/full, and exited 0 with no output
 * at all with stderr a pipe nobody reads; a usage error exited 1, not 2.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals } from "./assert.ts";
import { childEnv } from "./cli_process.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** `vc ARGS` through `sh -c SCRIPT` (stderr redirected there); stdout and sh's stderr piped. */
async function vcThroughSh(
  script: string,
  dir: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string }> {
  const out = await new Deno.Command("sh", {
    args: ["-c", script, "sh", Deno.execPath(), "run", ...PERMISSION_FLAGS, CLI, ...args],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, {
      VC_BUCKET: pathToFileURL(join(dir, "bucket")).href,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    }),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(120_000),
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

// Exits with vc's code; vc's stderr goes to /dev/full.
const FULL = 'exec "$@" 2>/dev/full';
// vc's stderr is a pipe whose reader (`true`) is gone long before vc starts
// writing; vc's exit code is printed on stdout after its output.
const GONE = 'exec 3>&1; { "$@" 2>&1 >&3 3>&-; echo "exit=$?" >&3; } | true';

Deno.test({
  name: "stderr that cannot be written loses the warning, never the result or the exit code",
  ignore: Deno.build.os !== "linux", // /dev/full is Linux's
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_stderr_gone_" }));
    try {
      await Deno.mkdir(join(dir, "bucket", "d"), { recursive: true });
      await Deno.writeTextFile(join(dir, "bucket", "d", "a.1.0.0.txt"), "a");
      // A version part beyond 2^53 - 1: ls-remote warns about it on stderr.
      await Deno.writeTextFile(join(dir, "bucket", "d", "a.99999999999999999.0.0.txt"), "x");

      const full = await vcThroughSh(FULL, dir, ["ls-remote"]);
      assertEquals(full, { code: 0, stdout: "/d/a.txt  1.0.0\n" });
      const gone = await vcThroughSh(GONE, dir, ["ls-remote"]);
      assertEquals(gone.stdout, "/d/a.txt  1.0.0\nexit=0\n");

      // A usage error is still a usage error.
      assertEquals((await vcThroughSh(FULL, dir, ["no-such-command"])).code, 2);
      assertEquals((await vcThroughSh(GONE, dir, ["ls", "--jsno"])).stdout, "exit=2\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
