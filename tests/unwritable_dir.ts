/**
 * A directory no file can be made in, also for root (CI runs tests as
 * root, who writes through `chmod 555`): `chattr +i` as root on Linux,
 * `chmod 555` for any other user. Tests of what vc says about such a
 * directory are declared `ignore: !canMakeUnwritable` where neither works.
 */

/** Runs `fn` with `dir` unwritable, then makes it writable again (also when `fn` throws). */
export async function withUnwritableDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  if (!await lock(dir)) {
    throw new Error(`cannot make ${dir} unwritable (canMakeUnwritable is false)`);
  }
  try {
    return await fn();
  } finally {
    await unlock(dir);
  }
}

async function lock(dir: string): Promise<boolean> {
  if (Deno.uid() !== 0) {
    await Deno.chmod(dir, 0o555);
    return true;
  }
  return await chattr("+i", dir);
}

async function unlock(dir: string): Promise<void> {
  if (Deno.uid() !== 0) await Deno.chmod(dir, 0o755);
  else await chattr("-i", dir);
}

function chattr(flag: string, dir: string): Promise<boolean> {
  return new Deno.Command("chattr", { args: [flag, dir], stdout: "null", stderr: "null" }).output()
    .then((r) => r.code === 0, () => false);
}

/** Whether {@linkcode withUnwritableDir} works here (POSIX; as root, `chattr` on a file system that has it). */
export const canMakeUnwritable: boolean = await (async () => {
  if (Deno.build.os === "windows") return false;
  const dir = await Deno.makeTempDir({ prefix: "vc_unwritable_probe_" });
  try {
    if (!await lock(dir)) return false;
    try {
      await Deno.writeTextFile(`${dir}/x`, "x");
      return false; // written anyway: no barrier here
    } catch {
      return true;
    } finally {
      await unlock(dir);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
})();
