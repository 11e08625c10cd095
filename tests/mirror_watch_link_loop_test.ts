/**
 * With `--follow-symlinks`, a link back to a directory above it (`a/up ->
 * ..`, `a/self -> .`) is a loop, never followed by a full pass. A watch's
 * event for such a link walked only the link's own part of the tree, which
 * knew nothing of the directories above it: it copied the whole tree below
 * `a/up/` (uploads a full pass then deleted with `--delete`, and kept for
 * good without it). The part walked now knows the directories above it.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { assertEquals } from "./assert.ts";
import { fakeBackend, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test({
  name: "mirror --watch: a link back to a directory above it is a loop for an event's walk too",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using b = await fakeBackend();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "top.txt": "t", "a/x.txt": "x", "a/b/y.txt": "y" });
    await using m = await Mirror.open({
      sources: [src],
      target: b.store,
      statePath: join(w.dir, "s.db"),
      symlinks: "follow",
    });
    await m.run();
    const before = await storeContents(b.store);
    await Deno.symlink("..", join(src, "a", "up"));
    await Deno.symlink(".", join(src, "a", "self"));
    await Deno.symlink("../..", join(src, "a", "b", "up2"));
    // A second name of a directory that is not above it is no loop.
    await Deno.symlink("a/b", join(src, "alias"));
    const r = await m.syncPaths([
      join(src, "a", "up"),
      join(src, "a", "self"),
      join(src, "a", "b", "up2"),
      join(src, "alias"),
    ]);
    assertEquals(r.failed, []);
    assertEquals(await storeContents(b.store), { ...before, "alias/y.txt": "y" });
    // A full pass agrees: nothing to do.
    const again = await m.run();
    assertEquals([again.transferred, again.deleted, again.extra], [0, 0, 0]);
  },
});
