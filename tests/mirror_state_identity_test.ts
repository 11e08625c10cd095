/**
 * The default state file names the store as the store names itself, not as
 * the URI was typed: `file:///x/`, `file://localhost/x` and `file:///x` (or
 * `s3://b/p/` and `s3://b/p`) are one target, so two runs of one mirror
 * spelled two ways share one state file, and its lock refuses the second
 * while the first runs (a cron job beside a `--watch`).
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { MirrorState } from "../src/mirror/state.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

async function stateFiles(cacheDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(cacheDir, "mirror"))) {
    if (e.name.endsWith(".sqlite")) names.push(join(cacheDir, "mirror", e.name));
  }
  return names;
}

Deno.test("mirror: a store URI spelled another way (trailing slash, localhost) is the same state file and lock", async () => {
  await using w = await tempDir();
  const cacheDir = join(w.dir, "cache");
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "d/b.txt": "b" });
  const store = join(w.dir, "store");
  const spellings = [`file://${store}`, `file://${store}/`, `file://localhost${store}`];

  // Local → store.
  const first = await mirror({ sources: [src], target: spellings[0]!, cacheDir });
  assertEquals(first.transferred, 2);
  for (const target of spellings.slice(1)) {
    const again = await mirror({ sources: [src], target, cacheDir });
    assertEquals([again.transferred, again.unchanged], [0, 2]);
  }
  const up = await stateFiles(cacheDir);
  assertEquals(up.length, 1, up.join(", "));
  const held = new MirrorState(up[0]!);
  try {
    for (const target of spellings) {
      const e = await assertRejects(
        () => mirror({ sources: [src], target, cacheDir }),
        InvalidInputError,
      );
      assertStringIncludes(e.message, "another `mirror()` is using the state file");
    }
  } finally {
    held.close();
  }

  // Store → local.
  const dst = join(w.dir, "dst");
  for (const source of spellings) await mirror({ sources: [source], target: dst, cacheDir });
  assertEquals((await stateFiles(cacheDir)).length, 2);
});

Deno.test("mirror: --source-prefix spelled another way (trailing slash, a key prefix without one) is the same state file", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(join(src, "d"), { "a.txt": "a" });
  const store = `file://${join(w.dir, "store")}`;
  const upCache = join(w.dir, "up");
  for (const sourcePrefix of [src, `${src}/`, `${src}/./`]) {
    await mirror({ sources: [join(src, "d")], target: store, sourcePrefix, cacheDir: upCache });
  }
  assertEquals((await stateFiles(upCache)).length, 1);
  const downCache = join(w.dir, "down");
  for (const sourcePrefix of ["d", "d/", "/d/"]) {
    await mirror({
      sources: [store],
      target: join(w.dir, "dst"),
      sourcePrefix,
      cacheDir: downCache,
    });
  }
  assertEquals((await stateFiles(downCache)).length, 1);
  // An empty segment is no spelling of it: refused, as in every prefix.
  await assertRejects(
    () =>
      mirror({
        sources: [store],
        target: join(w.dir, "dst"),
        sourcePrefix: "/d//",
        cacheDir: downCache,
      }),
    InvalidInputError,
    "empty segment",
  );
  assertEquals((await stateFiles(downCache)).length, 1);
});
