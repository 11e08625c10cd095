/**
 * Mounts for tests that need a real filesystem barrier (a full disk, a disk
 * unmounted mid-run, a bind mount): root on Linux, where the container
 * allows it. `canMount` is probed once per test process, so a test that
 * needs it declares `ignore: !canMount` instead of returning early.
 */

/** Runs `cmd args…` quietly; true when it exits 0 (false when there is no such command). */
export async function run(cmd: string, ...args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function probeMount(): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  const dir = await Deno.makeTempDir({ prefix: "vc_mount_probe_" });
  try {
    if (!(await run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir))) return false;
    return await run("umount", dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Whether this process can mount (a tmpfs, a bind mount) and unmount. */
export const canMount: boolean = await probeMount();

/**
 * Runs `fn` with `dir` bind-mounted read-only over itself (root on Linux),
 * unmounting it after; false, without running `fn`, when that cannot be done.
 */
export async function readOnlyMount(dir: string, fn: () => Promise<void>): Promise<boolean> {
  if (!await run("mount", "--bind", dir, dir)) return false;
  try {
    if (!await run("mount", "-o", "remount,bind,ro", dir)) return false;
    await fn();
    return true;
  } finally {
    await new Deno.Command("umount", { args: [dir] }).output();
  }
}

/**
 * Whether this process can make a read-only bind mount ({@linkcode readOnlyMount}):
 * a real read-only file system, which root cannot write either. Await it once
 * at the top of a test file and declare `ignore: !canMountReadOnly`.
 */
export async function probeReadOnlyMount(): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  const dir = await Deno.makeTempDir({ prefix: "vc_ro_mount_probe_" });
  try {
    return await readOnlyMount(dir, async () => {});
  } finally {
    await Deno.remove(dir).catch(() => {});
  }
}

/** Fills the filesystem of `path`'s directory: every block, then every byte. */
export async function fillDisk(path: string): Promise<void> {
  await using f = await Deno.open(path, { write: true, create: true });
  const block = new Uint8Array(4096);
  for (const chunk of [block, block.subarray(0, 1)]) {
    for (;;) {
      try {
        if (await f.write(chunk) < chunk.length) break;
      } catch {
        break;
      }
    }
  }
}

/**
 * Mounts a tmpfs with `options` (`size=1m` unless told) on `dir`, which must
 * exist; disposing unmounts it (lazily when a file in it is still open, so a
 * failed test's cleanup does not fail too).
 */
export async function mountTmpfs(dir: string, options = "size=1m"): Promise<AsyncDisposable> {
  if (!(await run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir))) {
    throw new Error(`could not mount a tmpfs (${options}) on ${dir}`);
  }
  return {
    async [Symbol.asyncDispose]() {
      if (!(await run("umount", dir))) await run("umount", "-l", dir);
    },
  };
}

/** A temp directory with a small tmpfs mounted on one of its subdirectories. */
export interface TmpfsScratch extends AsyncDisposable {
  /** The temp directory, on the ordinary disk. */
  dir: string;
  /** The mount point inside it: `dir/<mountOn>`. */
  mnt: string;
}

/**
 * Makes a temp directory (named with `prefix`) and mounts a tmpfs with
 * `options` on its `mountOn` subdirectory (`mnt` unless told); disposing
 * unmounts it and removes the directory.
 */
export async function tmpfsScratch(
  prefix: string,
  { mountOn = "mnt", options = "size=1m" }: { mountOn?: string; options?: string } = {},
): Promise<TmpfsScratch> {
  const dir = await Deno.makeTempDir({ prefix });
  const mnt = `${dir}/${mountOn}`;
  try {
    await Deno.mkdir(mnt);
    const mount = await mountTmpfs(mnt, options);
    return {
      dir,
      mnt,
      async [Symbol.asyncDispose]() {
        await mount[Symbol.asyncDispose]();
        await Deno.remove(dir, { recursive: true });
      },
    };
  } catch (e) {
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
}
