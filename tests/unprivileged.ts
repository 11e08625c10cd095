/**
 * Runs a Deno subject process that file permissions apply to, so tests of
 * "read-only directory" cases are real in CI, which runs as root (root ignores
 * directory modes). As root the child runs as `nobody` (uid/gid 65534) through
 * `setpriv`; as any other user it runs as that user, for whom `chmod` already
 * is a barrier.
 *
 * The child gets `--no-config --no-lock` and, as root, a fresh `DENO_DIR`
 * readable by `nobody` (root's own cache usually sits under a 0700 HOME): the
 * subjects import only local modules, so nothing needs fetching. Paths the
 * child reads must be readable by `nobody` too: create them with
 * {@linkcode makeSharedTempDir}.
 */

const NOBODY = 65534;

async function canDropPrivileges(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("setpriv", {
      args: [...setprivArgs(), Deno.execPath(), "--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

function setprivArgs(): string[] {
  return [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"];
}

const IS_ROOT = Deno.build.os !== "windows" && Deno.uid() === 0;

/**
 * Why permission barriers cannot be produced here, or `undefined` when they
 * can. Use as `ignore: UNPRIVILEGED_UNAVAILABLE !== undefined` and name the
 * reason in the test.
 */
export const UNPRIVILEGED_UNAVAILABLE: string | undefined = Deno.build.os === "windows"
  ? "Windows has no POSIX directory modes"
  : IS_ROOT && !(await canDropPrivileges())
  ? "running as root without a working `setpriv` to drop to nobody"
  : undefined;

/** A temp directory (mode 0755) that the unprivileged child can read. */
export async function makeSharedTempDir(prefix: string): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix, dir: "/tmp" }));
  await Deno.chmod(dir, 0o755);
  return dir;
}

/** What the child printed and how it exited. */
export interface UnprivilegedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `deno <args...>` as an unprivileged user (see the module doc). `args`
 * typically is `["run", ...flags, script, ...scriptArgs]`; `--no-config
 * --no-lock` are inserted after the subcommand.
 */
export async function runDenoUnprivileged(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<UnprivilegedRun> {
  if (UNPRIVILEGED_UNAVAILABLE !== undefined) throw new Error(UNPRIVILEGED_UNAVAILABLE);
  const [sub, ...rest] = args;
  const denoArgs = [sub ?? "run", "--no-config", "--no-lock", ...rest];
  let denoDir: string | undefined;
  try {
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
      ...options.env,
    };
    if (IS_ROOT) {
      denoDir = await Deno.makeTempDir({ prefix: "vc-deno-dir-", dir: "/tmp" });
      await Deno.chown(denoDir, NOBODY, NOBODY);
      env.DENO_DIR = denoDir;
      env.HOME ??= denoDir;
    }
    const command = IS_ROOT
      ? new Deno.Command("setpriv", {
        args: [...setprivArgs(), Deno.execPath(), ...denoArgs],
        clearEnv: true,
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      })
      : new Deno.Command(Deno.execPath(), {
        args: denoArgs,
        clearEnv: true,
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });
    const { code, stdout, stderr } = await command.output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code, stdout: decode(stdout), stderr: decode(stderr) };
  } finally {
    if (denoDir !== undefined) await Deno.remove(denoDir, { recursive: true });
  }
}

/** Sets `mode` on every directory under (and including) `dir`, and `fileMode` on files. */
export async function chmodTree(dir: string, mode: number, fileMode?: number): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) await chmodTree(path, mode, fileMode);
    else if (e.isFile && fileMode !== undefined) await Deno.chmod(path, fileMode);
  }
  await Deno.chmod(dir, mode);
}
