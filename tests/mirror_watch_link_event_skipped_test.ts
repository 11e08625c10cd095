/**
 * `vc mirror --watch`: a symbolic link made in the tree (`ln -s`) brings an
 * event for the link itself. Its batch skipped it without counting it (its
 * line said nothing), while the same link below a directory the batch
 * walked, or in a full pass, counted as "1 symlink skipped": a batch now
 * counts the links (and FIFOs, sockets, devices) its events name, as a
 * pass counts those it walks, so their lines mean the same.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror --watch: a batch of events for new links counts them skipped, as a pass does", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "d/f.txt": "f" });
  await using m = await Mirror.open({
    sources: [src],
    target: new FsStore(join(w.dir, "bucket")),
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  await m.run();
  await Deno.symlink("f.txt", join(src, "d/l1"));
  await Deno.symlink("d", join(src, "l2"));
  const r = await m.syncPaths([join(src, "d/l1"), join(src, "l2")]);
  assertEquals(r.failed, []);
  assertEquals(r.skipped?.map((s) => [s.key, s.kind]), [["d/l1", "symlink"], ["l2", "symlink"]]);
  // The full pass counts the same links the same way.
  const pass = await m.run();
  assertEquals(pass.skipped?.map((s) => [s.key, s.kind]), [["d/l1", "symlink"], [
    "l2",
    "symlink",
  ]]);
});

Deno.test({
  name: "mirror --watch: a FIFO made in the tree is counted skipped by its batch",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    await using m = await Mirror.open({
      sources: [src],
      target: new FsStore(join(w.dir, "bucket")),
      statePath: join(w.dir, "s.db"),
    });
    await m.run();
    const fifo = join(src, "pipe");
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assertEquals(made.code, 0);
    const r = await m.syncPaths([fifo]);
    assertEquals(r.skipped?.map((s) => [s.key, s.kind]), [["pipe", "special"]]);
  },
});
