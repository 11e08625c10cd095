/**
 * With `--follow-symlinks`, a link to nowhere or into a loop of links fails
 * its pass and holds back every delete (it may lead to a disk not mounted
 * now); its message says to leave it out with `--exclude`. An exclude that
 * leaves out every key the link could give (itself, and what would be below
 * it as a directory) must then do so: no failure, and the deletes go ahead.
 * One that leaves out only the link's own key keeps the objects below it
 * safe: still a failure, nothing deleted.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals } from "./assert.ts";
import { BACKENDS, RACY_MS, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

for (const b of BACKENDS) {
  Deno.test({
    name:
      `mirror local → ${b.name} --follow-symlinks --delete: an excluded broken link holds nothing back`,
    ignore: b.ignore || Deno.build.os === "windows",
    async fn() {
      await using backend = await b.make();
      await using w = await tempDir();
      const src = join(w.dir, "src");
      await writeTree(src, { "a.txt": "a", "old-disk/x.bin": "x" });
      for (const walkThread of [false, true]) {
        const options = {
          sources: [src],
          target: backend.store,
          targetPrefix: `p${walkThread}`,
          statePath: join(w.dir, `${walkThread}.db`),
          racyWindowMs: RACY_MS,
          symlinks: "follow" as const,
          delete: true,
          walkThread,
        };
        assertEquals((await mirror(options)).transferred, 2);
        // The disk goes (its mount point a link to where it is not now), a
        // loop of links comes, and a.txt is removed: its object is to go.
        await Deno.remove(join(src, "old-disk"), { recursive: true });
        await Deno.symlink(join(w.dir, "unmounted"), join(src, "old-disk"));
        await Deno.symlink("l2", join(src, "l1"));
        await Deno.symlink("l1", join(src, "l2"));
        await Deno.remove(join(src, "a.txt"));
        const held = await mirror(options);
        assertEquals([held.failed.length, held.deleted], [3, 0]);
        // Only the link's own key: old-disk/x.bin is not left out, so it is kept.
        const own = await mirror({ ...options, exclude: ["^old-disk$", "^l[12]"] });
        assertEquals(own.failed.map((f) => f.path), [join(src, "old-disk")]);
        assertEquals(own.deleted, 0);
        const left = await mirror({ ...options, exclude: ["^old-disk(/|$)", "^l[12]"] });
        assertEquals([left.failed, left.deletedKeys], [[], ["a.txt"]]);
        assertEquals(await storeContents(backend.store, `p${walkThread}/`), {
          [`p${walkThread}/old-disk/x.bin`]: "x",
        });
        // Back as it was for the other walk.
        for (const l of ["old-disk", "l1", "l2"]) await Deno.remove(join(src, l));
        await writeTree(src, { "a.txt": "a", "old-disk/x.bin": "x" });
      }
    },
  });
}
