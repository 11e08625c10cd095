/**
 * `vc prefill --list list.txt` as a child process with only the permission
 * flags a test gives it, as a project's own task runs it: for what vc does
 * when its `--allow-env` list leaves variables out.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { childEnv } from "./cli_process.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** Makes `dir`/home, and a list.txt naming `dir`/a.txt (made too) to prefill. */
export async function prefillListDir(dir: string): Promise<void> {
  await Deno.mkdir(join(dir, "home"));
  const src = join(dir, "a.txt");
  await Deno.writeTextFile(src, "a\n");
  await Deno.writeTextFile(join(dir, "list.txt"), `${pathToFileURL(src).href}\n`);
}

/**
 * Runs `deno run PERMISSIONS cli.ts prefill --list list.txt` in `dir` (see
 * {@linkcode prefillListDir}), its cache named by `VC_CACHE_DIR` (`dir`/ci-cache).
 */
export async function prefillChild(
  dir: string,
  permissions: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, CLI, "prefill", "--list", "list.txt"],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, { VC_CACHE_DIR: join(dir, "ci-cache") }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}
