/**
 * A directory that opens but cannot be listed (its `getdents` fails: EIO on
 * a failing disk or NFS, EACCES on special directories). Deno's
 * `readDirSync` takes that for an empty directory; a mirror with `--delete`
 * then deleted everything under it. The walk must report it, and the mirror
 * must delete nothing.
 *
 * The barrier is real: `/proc/1/map_files` opens for anyone and refuses to
 * be read without CAP_SYS_ADMIN in the init namespace (EACCES on getdents,
 * even as root here), bind-mounted into the source tree (root only).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { readDirComplete, walkFiles } from "../src/walk.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

function run(cmd: string, ...args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** Whether bind mounts work here and `/proc/1/map_files` lists as the failure this needs. */
function probe(): boolean {
  const dir = Deno.makeTempDirSync({ prefix: "vc-failing-dir-probe-" });
  try {
    if (!run("mount", "--bind", "/proc/1/map_files", dir)) return false;
    try {
      // Opens fine (else the failure is an ordinary one), fails to list.
      Deno.openSync(dir, { read: true }).close();
      return !run("ls", dir);
    } finally {
      run("umount", dir);
    }
  } catch {
    return false;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const canProbe = probe();
const why = "(ignored where a bind mount of /proc/1/map_files cannot be made: not root)";

async function withFailingDir(fn: (root: string, bad: string) => Promise<void>): Promise<void> {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const bad = join(src, "bad");
  await writeTree(src, { "ok.txt": "ok" });
  await Deno.mkdir(bad);
  assert(run("mount", "--bind", "/proc/1/map_files", bad), "mount");
  let failed = true;
  try {
    await fn(w.dir, bad);
    failed = false;
  } finally {
    // A descriptor left open on the mount makes `umount` fail (busy): that is
    // a leak to report, after a lazy unmount so no mount outlives the test.
    const unmounted = run("umount", bad);
    if (!unmounted) run("umount", "-l", bad);
    if (!failed) assert(unmounted, `${bad} is still in use after the test: a descriptor leaked`);
  }
}

function openDescriptors(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

Deno.test({
  name: `a directory that opens but cannot be listed is an error, not an empty one ${why}`,
  ignore: !canProbe,
  async fn() {
    await withFailingDir(async (_root, bad) => {
      // What this guards against: the synchronous listing says "empty".
      assertEquals([...Deno.readDirSync(bad)].length, 0);
      await assertRejects(() => readDirComplete(bad));
      // A failed listing closes its directory: none of 20 keeps a descriptor.
      const before = openDescriptors();
      for (let i = 0; i < 20; i++) await assertRejects(() => readDirComplete(bad));
      assertEquals(openDescriptors(), before);
      const errors: string[] = [];
      const keys: string[] = [];
      for await (const e of walkFiles(join(bad, ".."), { onError: (p) => errors.push(p) })) {
        keys.push(e.key);
      }
      assertEquals(keys, ["ok.txt"]);
      assertEquals(errors, [bad]);
    });
  },
});

Deno.test({
  name: `mirror --delete deletes nothing when a source directory cannot be listed ${why}`,
  ignore: !canProbe,
  async fn() {
    await withFailingDir(async (root) => {
      const store = new FsStore(join(root, "bucket"));
      try {
        const enc = new TextEncoder();
        await store.put("bad/was.txt", enc.encode("w"));
        await store.put("stale.txt", enc.encode("s"));
        const r = await mirror({
          sources: [join(root, "src")],
          target: store,
          delete: true,
          statePath: join(root, "s.db"),
        });
        assertEquals(r.deleted, 0);
        assertStringIncludes(r.deletesSkipped ?? "", "nothing was deleted");
        assertEquals(r.failed.length, 1);
        assertEquals(Object.keys(await storeContents(store)).sort(), [
          "bad/was.txt",
          "ok.txt",
          "stale.txt",
        ]);
      } finally {
        await store.close();
      }
    });
  },
});
