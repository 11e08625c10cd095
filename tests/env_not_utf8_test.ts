/**
 * A variable whose value is not valid UTF-8 (a path in Latin-1, a file in
 * another encoding pasted into it): `Deno.env.get` throws `InvalidData` for
 * it. The command line took that for a missing `--allow-env` permission: it
 * warned `cannot read VC_CACHE_DIR: this process has no env permission for
 * it` (which was false) and went on as if the variable were unset (the
 * default cache directory; for `AWS_REGION`, with no word at all, the default
 * region), and the library's reader threw Deno's bare `environment variable
 * was not valid unicode`, naming no variable. Each now fails naming the
 * variable (exit 1), as any malformed value does.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "cli.ts");

/** `vc args...` as the binary runs, with `variable` set to the bytes `a\xffb`. */
async function vcWithLatin1(variable: string, args: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "vc_env_not_utf8_" });
  try {
    // Deno.Command's env takes strings (sent as UTF-8): the shell sets the bytes.
    const script = `export ${variable}="$(printf 'a\\377b')"; exec "$0" "$@"`;
    const out = await new Deno.Command("bash", {
      args: ["-c", script, Deno.execPath(), "run", ...PERMISSION_FLAGS, CLI, ...args],
      cwd: dir,
      env: { HOME: dir, NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const variable of ["VC_CACHE_DIR", "VC_BUCKET", "AWS_REGION"]) {
  Deno.test({
    name: `vc config with ${variable} not UTF-8 fails naming it, not a permission`,
    // bash, and variables holding bytes, are POSIX.
    ignore: Deno.build.os === "windows",
    async fn() {
      const r = await vcWithLatin1(variable, ["config"]);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, `${variable} is not valid UTF-8`);
      assert(!r.stderr.includes("no env permission"), r.stderr);
    },
  });
}

Deno.test({
  name: "readDenoEnv names a variable that is not UTF-8",
  // bash, and variables holding bytes, are POSIX.
  ignore: Deno.build.os === "windows",
  async fn() {
    // In a child: this process's own environment cannot be given such bytes.
    const code = `import { readDenoEnv } from ${JSON.stringify(join(ROOT, "src/config.ts"))};
      try { readDenoEnv("VC_X"); console.log("no error"); }
      catch (e) { console.log(e.name + ": " + e.message); }`;
    const script = `export VC_X="$(printf 'a\\377b')"; exec "$0" "$@"`;
    const out = await new Deno.Command("bash", {
      args: ["-c", script, Deno.execPath(), "eval", code],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertStringIncludes(text, "InvalidInputError: VC_X is not valid UTF-8");
  },
});
