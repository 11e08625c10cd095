/**
 * `--source-prefix` and a SOURCE are compared as the state identity takes
 * them, links resolved: a source reached through a symbolic link with the
 * prefix given as the real path (or the other way round) is inside it, and
 * gives the same keys and the same state file as both typed alike. A source
 * truly outside the prefix is still refused, naming both as typed.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { settle, tempDir, writeTree } from "./mirror_helpers.ts";

/** The object keys in a directory store (its `.vc~` metadata files left out). */
async function keys(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string, rel: string) => {
    for await (const e of Deno.readDir(at)) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) await walk(join(at, e.name), r);
      else if (!e.name.startsWith(".vc~")) out.push(r);
    }
  };
  await walk(dir, "");
  return out.sort();
}

Deno.test("mirror: a source through a link is inside a --source-prefix given as the real path, and back", async () => {
  await using w = await tempDir();
  const real = join(w.dir, "real");
  await writeTree(real, { "a/x.txt": "x", "a/d/y.txt": "y" });
  await settle();
  const link = join(w.dir, "link");
  await Deno.symlink(real, link);
  const cacheDir = join(w.dir, "cache");
  const store = join(w.dir, "store");
  const target = `file://${store}`;

  const first = await mirror({
    sources: [join(link, "a")],
    target,
    sourcePrefix: real,
    cacheDir,
    racyWindowMs: 0,
  });
  assertEquals([first.transferred, first.failed.length], [2, 0]);
  assertEquals(await keys(store), ["a/d/y.txt", "a/x.txt"]);

  for (const sourcePrefix of [link, real]) {
    const source = join(real, "a");
    const again = await mirror({
      sources: [source],
      target,
      sourcePrefix,
      cacheDir,
      racyWindowMs: 0,
    });
    assertEquals([again.transferred, again.unchanged, again.hashed], [0, 2, 0], sourcePrefix);
  }
  assertEquals(await keys(store), ["a/d/y.txt", "a/x.txt"]);
});

Deno.test("mirror: a source outside --source-prefix is refused, links resolved or not", async () => {
  await using w = await tempDir();
  const real = join(w.dir, "real");
  const other = join(w.dir, "other");
  await writeTree(real, { "a/x.txt": "x" });
  await writeTree(other, { "b/z.txt": "z" });
  const link = join(w.dir, "link");
  await Deno.symlink(real, link);
  const target = `file://${join(w.dir, "store")}`;
  for (const sourcePrefix of [real, link]) {
    const e = await assertRejects(
      () =>
        mirror({
          sources: [join(other, "b")],
          target,
          sourcePrefix,
          cacheDir: join(w.dir, "cache"),
          racyWindowMs: 0,
        }),
      InvalidInputError,
    );
    assertStringIncludes(
      e.message,
      `source ${JSON.stringify(join(other, "b"))} is not inside the sourcePrefix option ${
        JSON.stringify(sourcePrefix)
      }`,
    );
  }
});
