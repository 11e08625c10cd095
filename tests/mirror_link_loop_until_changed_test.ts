/**
 * With `--follow-symlinks`, a link into a loop of links (`a -> b`, `b -> a`)
 * fails the same at every try until one of its links changes, like a key the
 * store refuses: its failure is `untilChanged`, so a watch neither tries it
 * again on the 1 s → 5 min schedule nor names it again at every full pass.
 * A link to a path that does not exist is not (a disk may be mounted there).
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test({
  name:
    "mirror --follow-symlinks: a loop of links is a failure until it changes; a dangling link is not",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "ok.txt": "ok" });
    await Deno.symlink(join(src, "loop-b"), join(src, "loop-a"));
    await Deno.symlink(join(src, "loop-a"), join(src, "loop-b"));
    await Deno.symlink(join(w.dir, "unmounted"), join(src, "dangling"));
    await using m = await Mirror.open({
      sources: [src],
      target: new FsStore(join(w.dir, "bucket")),
      statePath: join(w.dir, "s.db"),
      symlinks: "follow",
    });
    const untilChanged = (failed: { path: string; untilChanged?: boolean }[]) =>
      Object.fromEntries(
        failed.map((f) => [f.path.slice(src.length + 1), f.untilChanged ?? false]),
      );
    const expected = { "loop-a": true, "loop-b": true, "dangling": false };
    // A full pass (its walk) and a batch of events (each path's stat) alike.
    const pass = await m.run();
    assertEquals(pass.transferred, 1);
    assertEquals(untilChanged(pass.failed), expected);
    const batch = await m.syncPaths(["loop-a", "loop-b", "dangling"].map((n) => join(src, n)));
    assertEquals(untilChanged(batch.failed), expected);
    assert(batch.failed.every((f) => f.error.includes("not followed")), JSON.stringify(batch));
  },
});
