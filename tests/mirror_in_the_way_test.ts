/**
 * store → local mirror of a bucket holding keys "a" and "a/b.txt" (which
 * aws s3 cp and rclone write without complaint), or of a key whose file
 * place holds a directory with files: the failure says what is in the way,
 * not only the system's words about vc's temp file. (More shapes and
 * concurrencies: mirror_dir_clash_test.ts.)
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("mirror store → local: key a gives way to a/b.txt, and a directory where a file goes is named as in the way", async () => {
  await using dir = await tempDir("vc-mirror-in-the-way-");
  await using store = new MemoryStore();
  const enc = new TextEncoder();
  await store.put("a", enc.encode("file a"));
  await store.put("a/b.txt", enc.encode("under a"));
  await store.put("c.txt", enc.encode("c"));
  const target = join(dir.path, "t");
  await Deno.mkdir(join(target, "c.txt"), { recursive: true });
  await Deno.writeTextFile(join(target, "c.txt", "inner"), "kept");
  const r = await mirror({
    sources: [store],
    target,
    concurrency: 1,
    statePath: join(dir.path, "s.db"),
  });
  assertEquals(r.transferred, 1);
  const byKey = new Map(r.failed.map((f) => [f.key, f.error]));
  assertStringIncludes(
    byKey.get("a") ?? "",
    'not written: the key "a/b.txt" needs a directory of this name',
  );
  assertStringIncludes(byKey.get("c.txt") ?? "", "in the way: a directory with files");
  assertEquals(await Deno.readTextFile(join(target, "a", "b.txt")), "under a");
  assertEquals(await Deno.readTextFile(join(target, "c.txt", "inner")), "kept");
});

Deno.test("mirror store → local --delete: a directory that became a file in the store is mirrored in the same run", async () => {
  await using dir = await tempDir("vc-mirror-in-the-way-");
  await using store = new MemoryStore();
  const enc = new TextEncoder();
  await store.put("d/x.txt", enc.encode("x"));
  await store.put("d/sub/y.txt", enc.encode("y"));
  await store.put("keep.txt", enc.encode("k"));
  const target = join(dir.path, "t");
  const options = {
    sources: [store],
    target,
    delete: true,
    statePath: join(dir.path, "s.db"),
  };
  assertEquals((await mirror(options)).transferred, 3);
  // The store's "directory" d becomes the file d.
  await store.delete(["d/x.txt", "d/sub/y.txt"]);
  await store.put("d", enc.encode("now a file"));
  const planned = await mirror({ ...options, dryRun: true });
  assertEquals([planned.transferred, planned.deleted], [1, 2]);
  const r = await mirror(options);
  assertEquals(r.failed, []);
  assertEquals([r.transferred, r.deleted, r.unchanged], [1, 2, 1]);
  assertEquals(await Deno.readTextFile(join(target, "d")), "now a file");
  // Nothing left to do, and without --delete a directory with files still fails, named.
  assertEquals((await mirror(options)).transferred, 0);
  await store.put("keep.txt/inner", enc.encode("i"));
  await store.delete(["keep.txt"]);
  assertEquals((await mirror(options)).transferred, 1);
  await store.delete(["keep.txt/inner"]);
  await store.put("keep.txt", enc.encode("k"));
  await Deno.writeTextFile(join(target, "keep.txt", "local-only"), "mine");
  const kept = await mirror({ ...options, delete: false });
  assertEquals(kept.failed.length, 1);
  assertStringIncludes(kept.failed[0]!.error, "in the way: a directory with files");
  assertEquals(await Deno.readTextFile(join(target, "keep.txt", "local-only")), "mine");
});

Deno.test("mirror store → local --delete: a local file where a key needs a directory is kept when the deletes are held back", async () => {
  await using dir = await tempDir("vc-mirror-in-the-way-");
  await using store = new MemoryStore();
  const enc = new TextEncoder();
  await store.put("f.txt", enc.encode("f"));
  await store.put("sub/d.txt", enc.encode("d"));
  const target = join(dir.path, "t");
  await Deno.mkdir(target);
  await Deno.writeTextFile(join(target, "sub"), "the user's file");
  await Deno.writeTextFile(join(target, "extra.txt"), "extra");
  const options = {
    sources: [store],
    target,
    delete: true,
    statePath: join(dir.path, "s.db"),
  };
  for (const concurrency of [1, 16]) {
    // Two deletes, more than maxDelete: none is made, `sub` included.
    const held = await mirror({ ...options, concurrency, maxDelete: 1 });
    assertStringIncludes(held.deletesSkipped ?? "", "nothing was deleted");
    assertEquals([held.deleted, held.deletedKeys], [0, []]);
    assertEquals(await Deno.readTextFile(join(target, "sub")), "the user's file");
    assertEquals(held.failed.map((f) => f.key), ["sub/d.txt"]);
    assertStringIncludes(held.failed[0]!.error, "in the way");
  }
  // Within the limit: `sub` goes and the key below it is written, in one run.
  const done = await mirror({ ...options, maxDelete: 2 });
  assertEquals([done.deleted, done.transferred, done.failed.length], [2, 1, 0]);
  assertEquals(await Deno.readTextFile(join(target, "sub", "d.txt")), "d");
  assertEquals(await Deno.readTextFile(join(target, "f.txt")), "f");
});
