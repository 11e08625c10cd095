/**
 * Runs `deno` as user `nobody` (setpriv), for tests of a cache dir shared
 * by several users: a file another user made private is a real barrier only
 * for a process that is not root. Only root can switch users, so such tests
 * are declared `ignore: !canRunAsNobody` elsewhere.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";

const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];

function works(cmd: string, ...args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** Whether this process can run others as `nobody` (root, with setpriv). */
export const canRunAsNobody: boolean = Deno.uid() === 0 && works("setpriv", ...NOBODY, "true");

const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** What a run as `nobody` printed. */
export interface NobodyRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `deno ARGS` as `nobody`, with a Deno dir (and HOME) of its own made in
 * `scratch`: `vc(...)` runs the CLI with the release permissions, `evalCode`
 * a script; `env` adds variables (e.g. `VC_LOCK_WAIT`).
 */
export async function asNobody(
  scratch: string,
  what: { vc: string[] } | { evalCode: string },
  env: Record<string, string> = {},
): Promise<NobodyRun> {
  const denoDir = `${scratch}/deno-dir-nobody`;
  await Deno.mkdir(denoDir, { recursive: true });
  await Deno.chown(denoDir, 65534, 65534);
  const args = "vc" in what
    ? ["run", ...PERMISSION_FLAGS, CLI, ...what.vc]
    : ["eval", "--no-check", ...PERMISSION_FLAGS.filter((f) => f !== "--no-prompt"), what.evalCode];
  const out = await new Deno.Command("setpriv", {
    args: [...NOBODY, Deno.execPath(), ...args],
    env: { ...env, DENO_DIR: denoDir, HOME: denoDir, XDG_CONFIG_HOME: denoDir, NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/**
 * What runs a command as `nobody` for {@linkcode mirrorWatchLog}'s `runAs`:
 * `setpriv` and its flags before the command, and a Deno dir (and HOME) of
 * its own made in `scratch`.
 */
export async function nobodyPrefix(
  scratch: string,
): Promise<{ prefix: string[]; env: Record<string, string> }> {
  const denoDir = `${scratch}/deno-dir-nobody`;
  await Deno.mkdir(denoDir, { recursive: true });
  await Deno.chown(denoDir, 65534, 65534);
  return { prefix: ["setpriv", ...NOBODY], env: { DENO_DIR: denoDir, HOME: denoDir } };
}

/**
 * `dir/a.csv` ("a\n") cached by this process (root) in `dir/cache`, the
 * shared cache dir the tests then let `nobody` use: the cache dir, the
 * file's URI and its cached copy's path.
 */
export async function cachedByRoot(
  dir: string,
): Promise<{ cacheDir: string; uri: string; path: string }> {
  const cacheDir = join(dir, "cache");
  await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
  const uri = pathToFileURL(join(dir, "a.csv")).href;
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
  return { cacheDir, uri, path: await cache.cache(uri) };
}
