/**
 * A file the system makes up as it is read (Linux's /proc and /sys: a
 * followed link to `/proc/version`, `/etc/mtab` → `/proc/self/mounts` in a
 * copied `/etc`) is stat'ed with a size that is not its content's (0 in
 * /proc, 4096 in /sys). Every run failed it as "changed while it was read
 * (125 bytes, listed with 0); the next run uploads what is there then",
 * a promise no run kept (`aws s3 sync` uploads an empty object). Its size
 * and mtime the same after the read as at the walk, it is refused for what
 * it is, naming it, and the way out.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mod.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir, upOptions, writeTree } from "./mirror_helpers.ts";

const PSEUDO = "/proc/version";

function pseudoFileThere(): boolean {
  try {
    return Deno.build.os === "linux" && Deno.statSync(PSEUDO).size === 0;
  } catch {
    return false;
  }
}

Deno.test({
  name: "mirror: a /proc file, its size given as 0, is refused for what it is, not as changed",
  ignore: !pseudoFileThere(),
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    await Deno.symlink(PSEUDO, join(src, "version"));
    const store = new MemoryStore();
    const report = await mirror(upOptions(w.dir, store, { symlinks: "follow" }));
    assertEquals(report.transferred, 1);
    assertEquals(report.failed.length, 1, JSON.stringify(report.failed));
    const f = report.failed[0]!;
    assertEquals(f.path, join(src, "version"));
    assert(!f.error.includes("changed while it was read"), f.error);
    assert(!f.error.includes("the next run uploads"), f.error);
    assertStringIncludes(f.error, "0 B");
    assertStringIncludes(f.error, "/proc");
    assertStringIncludes(f.error, "--exclude");
    assertEquals(f.untilChanged, true);
    assertEquals(await store.head("version"), undefined);
  },
});

Deno.test({
  name: "mirror: a file appended to between the walk and its read is still 'changed'",
  ignore: Deno.build.os === "windows",
  async fn() {
    // Its stat moves with the write: not taken for a pseudo-file.
    const { hashLocal } = await import("../src/mirror/compare.ts");
    const { statLocal } = await import("../src/mirror/local_side.ts");
    const { pseudoFileSize } = await import("../src/mirror/local_side.ts");
    await using w = await tempDir();
    const file = join(w.dir, "log.txt");
    await Deno.writeTextFile(file, "one\n");
    const entry = (await statLocal(file, "log.txt", "skip"))!;
    await Deno.writeTextFile(file, "two\n", { append: true });
    const hash = await hashLocal(entry, undefined, false, 0, undefined, "skip");
    assertEquals(hash.bytes?.length, 8);
    assertEquals(await pseudoFileSize(entry, 8, "skip"), false);
  },
});
