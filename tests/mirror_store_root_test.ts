/**
 * A `file://` source store whose directory is missing (a typo, a disk not
 * mounted, or unmounted under a watch) is not an empty store: a store →
 * local mirror with --delete must not remove every local file for it.
 */
import { join } from "node:path";
import { StoreNotFoundError } from "../src/errors.ts";
import { Mirror, mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror file:// → local: a source directory that does not exist is refused, nothing deleted", async () => {
  await using w = await tempDir();
  const local = join(w.dir, "local");
  await writeTree(local, { "precious.txt": "keep" });
  const e = await assertRejects(
    () =>
      mirror({
        sources: [`file://${join(w.dir, "unmounted", "backup")}`],
        target: local,
        statePath: join(w.dir, "s.db"),
        delete: true,
      }),
    // As a missing bucket is (`--json`'s kind NotFoundError), no bad input.
    StoreNotFoundError,
  );
  assertStringIncludes(e.message, "a missing one is not an empty one");
  assertEquals(await Deno.readTextFile(join(local, "precious.txt")), "keep");
});

Deno.test("mirror file:// → local: a source directory gone after the mirror opened (unmounted under a watch) deletes nothing", async () => {
  await using w = await tempDir();
  const backup = join(w.dir, "backup");
  const local = join(w.dir, "local");
  await writeTree(backup, { "a.txt": "a", "sub/b.txt": "b" });
  await using m = await Mirror.open({
    sources: [`file://${backup}`],
    target: local,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  assertEquals((await m.run()).transferred, 2);
  await Deno.rename(backup, join(w.dir, "elsewhere"));
  // Its listing is refused, as a deleted bucket's: the pass fails naming it.
  const gone = await assertRejects(() => m.run(), Error, `the store's directory ${backup}`);
  assertStringIncludes(gone.message, "nothing was deleted");
  assertEquals(await Deno.readTextFile(join(local, "sub", "b.txt")), "b");
  // Back again: the pass is as before.
  await Deno.rename(join(w.dir, "elsewhere"), backup);
  await Deno.remove(join(backup, "a.txt"));
  const back = await m.run();
  assertEquals([back.deleted, back.deletesSkipped], [1, undefined]);
});
