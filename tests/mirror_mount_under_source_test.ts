/**
 * Mounts inside a local source of `vc mirror`.
 *
 * - A bind mount of a directory above it (`mount --bind tree tree/sub/loop`)
 *   is a loop, as a symlink back up is: never walked (it would repeat the
 *   tree), and reported in `skipped` (kind `loop`) and named in the
 *   summary. It was passed over without a word, so a user whose `sub/loop`
 *   was missing from the store had no line saying why.
 *   A watcher reports the events of the tree's root under the last path it
 *   found it at, `tree/sub/loop`: a file made in the root (`tree/c.txt`)
 *   came as `tree/sub/loop/c.txt` and was uploaded under that key, one the
 *   walk never gives (the full pass then uploaded `c.txt` too).
 * - A filesystem mounted in a directory of the source is walked (as `aws s3
 *   sync` and rclone do by default): its files are mirrored.
 * - A mount point the user vc runs as may not read (a tmpfs whose root is
 *   mode 000) is a named failure, and `--delete` deletes nothing.
 *
 * Need mounts (root on Linux, where the container allows them; CI runs so);
 * ignored elsewhere. Every mount is undone in a `finally`.
 */
import { join } from "node:path";
import { Mirror, mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { fakeBackend, RACY_MS, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";
import { canMount, mountTmpfs, run } from "./mounts.ts";
import {
  makeSharedTempDir,
  runDenoUnprivileged,
  UNPRIVILEGED_UNAVAILABLE,
} from "./unprivileged.ts";

/** Bind-mounts `dir` on `on` for `fn`, unmounting it after, whatever `fn` does. */
async function withBind(dir: string, on: string, fn: () => Promise<void>): Promise<void> {
  if (!(await run("mount", "--bind", dir, on))) throw new Error(`mount --bind ${dir} ${on} failed`);
  try {
    await fn();
  } finally {
    if (!(await run("umount", on))) await run("umount", "-l", on);
  }
}

Deno.test({
  name: "mirror: a bind mount of a directory above it is a loop, reported as skipped",
  ignore: !canMount, // needs a bind mount (root on Linux)
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a", "sub/b.txt": "b" });
    await Deno.mkdir(join(src, "sub/loop"));
    await withBind(src, join(src, "sub/loop"), async () => {
      for (const symlinks of ["skip", "follow"] as const) {
        for (const walkThread of [false, true]) {
          const target = new MemoryStore();
          const r = await mirror({
            sources: [src],
            target,
            statePath: join(w.dir, `${symlinks}-${walkThread}.db`),
            racyWindowMs: RACY_MS,
            symlinks,
            walkThread,
          });
          assertEquals(r.transferred, 2);
          assertEquals(r.failed, []);
          assertEquals(r.skipped, [
            { key: "sub/loop", path: join(src, "sub/loop"), kind: "loop" },
          ]);
        }
      }
    });
  },
});

Deno.test({
  name: "vc mirror: the summary names a bind mount of a directory above it as a loop skipped",
  ignore: !canMount, // needs a bind mount (root on Linux)
  async fn() {
    await using ws = await CliWorkspace.create();
    await writeTree(ws.path("src"), { "a.txt": "a" });
    await Deno.mkdir(ws.path("src/d/loop"), { recursive: true });
    await withBind(ws.path("src"), ws.path("src/d/loop"), async () => {
      const run = await ws.run(["mirror", "src", ws.bucket]);
      assertEquals(run.code, 0, run.stderr);
      assertStringIncludes(
        run.stdout,
        "1 loop skipped (a symlink or bind mount to a directory above it, never followed: d/loop)",
      );
    });
  },
});

Deno.test({
  name: "mirror --watch: an event path through a bind mount of the root is mirrored at its own key",
  ignore: !canMount, // needs a bind mount (root on Linux)
  async fn() {
    await using b = await fakeBackend();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a", "sub/b.txt": "b" });
    await Deno.mkdir(join(src, "sub/loop"));
    await withBind(src, join(src, "sub/loop"), async () => {
      await using m = await Mirror.open({
        sources: [src],
        target: b.store,
        statePath: join(w.dir, "s.db"),
        racyWindowMs: RACY_MS,
      });
      await m.run();
      await writeTree(src, { "c.txt": "c", "nd/n.txt": "n", "sub/d.txt": "d" });
      // As the watcher names them: through the bind mount of the root.
      const r = await m.syncPaths([
        join(src, "sub/loop/c.txt"),
        join(src, "sub/loop/nd"),
        join(src, "sub/loop/sub/d.txt"),
      ]);
      assertEquals(r.failed, []);
      const expected = {
        "a.txt": "a",
        "c.txt": "c",
        "nd/n.txt": "n",
        "sub/b.txt": "b",
        "sub/d.txt": "d",
      };
      assertEquals(await storeContents(b.store), expected);
      // A full pass agrees: nothing to do.
      const again = await m.run();
      assertEquals([again.transferred, again.deleted, again.extra], [0, 0, 0]);
    });
  },
});

Deno.test({
  name: "mirror: a filesystem mounted in a directory of the source is walked, its files mirrored",
  ignore: !canMount, // needs a tmpfs mount (root on Linux)
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    await Deno.mkdir(join(src, "mnt"));
    await using _mount = await mountTmpfs(join(src, "mnt"));
    await writeTree(join(src, "mnt"), { "m.txt": "m" });
    const target = new MemoryStore();
    const r = await mirror({
      sources: [src],
      target,
      statePath: join(w.dir, "state.db"),
      racyWindowMs: RACY_MS,
    });
    assertEquals(r.transferred, 2);
    assertEquals(r.skipped, undefined);
    const keys: string[] = [];
    for await (const o of target.list("")) keys.push(o.key);
    assertEquals(keys.sort(), ["a.txt", "mnt/m.txt"]);
  },
});

Deno.test({
  name: "vc mirror --delete: a mount point it may not read is named, and nothing is deleted",
  // Needs a tmpfs mount and a user root's modes apply to (nobody, by setpriv).
  ignore: !canMount || UNPRIVILEGED_UNAVAILABLE !== undefined,
  async fn() {
    const dir = await makeSharedTempDir("vc_mirror_unreadable_mount_");
    const mnt = join(dir, "src/mnt");
    try {
      await writeTree(join(dir, "src"), { "a.txt": "a" });
      await Deno.mkdir(mnt);
      await Deno.mkdir(join(dir, "bucket"));
      await Deno.mkdir(join(dir, "state"));
      await using _mount = await mountTmpfs(mnt);
      await writeTree(mnt, { "m.txt": "m" });
      for (const path of ["src", "src/a.txt", "bucket", "state"]) {
        await Deno.chown(join(dir, path), 65534, 65534);
      }
      const cli = new URL("../cli.ts", import.meta.url).pathname;
      const vc = (...args: string[]) =>
        runDenoUnprivileged(["run", "-A", cli, "mirror", ...args], { cwd: dir });
      // First run: the mount readable, its file mirrored.
      await Deno.chmod(mnt, 0o755);
      const first = await vc("src", `file://${dir}/bucket`, "--state", `${dir}/state/mirror.db`);
      assertEquals(first.code, 0, first.stderr);
      // Then closed to the user vc runs as: its objects must stay.
      await Deno.chmod(mnt, 0o000);
      const second = await vc(
        "src",
        `file://${dir}/bucket`,
        "--delete",
        "--state",
        `${dir}/state/mirror.db`,
      );
      assertEquals(second.code, 1, second.stdout + second.stderr);
      assertStringIncludes(second.stderr, `${mnt}: no access`);
      assertStringIncludes(second.stderr, "nothing was deleted");
      assertEquals(await Deno.readTextFile(join(dir, "bucket/mnt/m.txt")), "m");
    } finally {
      // (The tmpfs is unmounted by then: `await using` above.)
      await Deno.remove(dir, { recursive: true });
    }
  },
});
