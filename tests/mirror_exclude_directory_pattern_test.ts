/**
 * An `--exclude` pattern that matches a directory's key (`sub/`) but not the
 * files below it (`/$` for folder markers, `^cache/$`, `^cache/(?!keep)`)
 * leaves those files in: the walk must not skip the directory for it, or a
 * local → store `--delete` removes the objects of files that are there, and
 * a store → local mirror downloads them again at every run.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { excludesDirectory } from "../src/mirror/keys.ts";
import { assertEquals } from "./assert.ts";
import { BACKENDS, storeContents, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

const TREE = {
  "top.txt": "t",
  "sub/f.txt": "f",
  "cache/keep.txt": "k",
  "cache/junk.txt": "j",
};

for (const b of BACKENDS) {
  Deno.test({
    name:
      `mirror local → ${b.name} --delete: an exclude matching only a directory's key keeps its files`,
    ignore: b.ignore,
    async fn() {
      await using backend = await b.make();
      await using w = await tempDir();
      const local = join(w.dir, "local");
      await writeTree(local, TREE);
      const options = {
        sources: [local],
        target: backend.store,
        targetPrefix: "data",
        statePath: join(w.dir, "s.db"),
        delete: true,
      };
      assertEquals((await mirror(options)).transferred, 4);
      for (const exclude of ["/$", "^cache/$", "^cache/(?!keep)", "^(sub|cache)\\b"]) {
        const r = await mirror({ ...options, exclude: [exclude] });
        const expected = exclude === "^cache/(?!keep)"
          ? [0, 3, undefined]
          : exclude === "^(sub|cache)\\b"
          ? [0, 1, undefined]
          : [0, 4, undefined];
        assertEquals([r.deleted, r.unchanged, r.deletedKeys[0]], expected, exclude);
      }
      assertEquals(await storeContents(backend.store, "data/"), {
        "data/top.txt": "t",
        "data/sub/f.txt": "f",
        "data/cache/keep.txt": "k",
        "data/cache/junk.txt": "j",
      });
    },
  });

  Deno.test({
    name: `mirror ${b.name} → local: an exclude matching only a directory's key compares its files`,
    ignore: b.ignore,
    async fn() {
      await using backend = await b.make();
      await using w = await tempDir();
      const local = join(w.dir, "local");
      await writeTree(join(w.dir, "src"), TREE);
      const statePath = join(w.dir, "s.db");
      await mirror({ sources: [join(w.dir, "src")], target: backend.store, statePath });
      const options = { sources: [backend.store], target: local, statePath, exclude: ["/$"] };
      assertEquals((await mirror(options)).transferred, 4);
      const again = await mirror(options);
      assertEquals([again.transferred, again.unchanged], [0, 4]);
      assertEquals(await treeContents(local), TREE);
    },
  });
}

Deno.test("excludesDirectory skips a directory only when every key below it is excluded", () => {
  const dir = (pattern: string, key: string) =>
    excludesDirectory({ exclude: [new RegExp(pattern, "u")] }, key);
  assertEquals(dir("^node_modules/", "node_modules/"), true);
  assertEquals(dir("(^|/)\\.git/", "a/.git/"), true);
  assertEquals(dir("/$", "sub/"), false);
  assertEquals(dir("^cache/$", "cache/"), false);
  assertEquals(dir("^cache/(?!keep)", "cache/"), false);
  assertEquals(dir("^cache/(?=x)", "cache/"), false);
  assertEquals(dir("cache/\\b", "cache/"), false);
  assertEquals(dir("cache/\\B", "cache/"), false);
  assertEquals(dir("\\.tmp$", "a.tmp/"), false);
  // A `$` the match in the directory's key does not need: every key below matches.
  assertEquals(dir("(^|/)\\.git(/|$)", "a/.git/"), true);
  assertEquals(dir("^old(/|$)", "old/"), true);
  assertEquals(dir("^old(/|$)", "older/"), false);
  assertEquals(dir("^a\\$b/", "a$b/"), true);
  assertEquals(dir("^(x|cache/$)", "cache/"), false);
});
