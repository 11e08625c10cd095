/**
 * A local directory of a mirror is named in its default state file by its
 * real path: one reached through a symbolic link (or `..` past one) is the
 * same directory, so a run through the link and a run through the real path
 * share one state file (nothing hashed again) and its lock (a one-shot run
 * beside a `--watch` is refused), for a source (local → store) and for a
 * target (store → local). A state file an earlier version named from the
 * link's spelling is taken over rather than every file hashed again.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { defaultStatePath, MirrorState } from "../src/mirror/state.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { settle, tempDir, writeTree } from "./mirror_helpers.ts";

async function stateFiles(cacheDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(cacheDir, "mirror"))) {
    if (e.name.endsWith(".sqlite")) names.push(join(cacheDir, "mirror", e.name));
  }
  return names.sort();
}

async function refused(run: () => Promise<unknown>): Promise<void> {
  const e = await assertRejects(run, InvalidInputError);
  assertStringIncludes(e.message, "another `mirror()` is using the state file");
}

Deno.test("mirror: a source reached through a symbolic link is the same state file and lock", async () => {
  await using w = await tempDir();
  const cacheDir = join(w.dir, "cache");
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "d/b.txt": "b" });
  await settle();
  const link = join(w.dir, "link");
  await Deno.symlink(src, link);
  const target = `file://${join(w.dir, "store")}`;

  const first = await mirror({ sources: [src], target, cacheDir, racyWindowMs: 0 });
  assertEquals([first.transferred, first.hashed], [2, 2]);
  for (const source of [link, `${link}/`, `${link}/d/..`]) {
    const again = await mirror({ sources: [source], target, cacheDir, racyWindowMs: 0 });
    assertEquals([again.transferred, again.unchanged, again.hashed], [0, 2, 0], source);
  }
  const files = await stateFiles(cacheDir);
  assertEquals(files.length, 1, files.join(", "));
  const held = new MirrorState(files[0]!);
  try {
    await refused(() => mirror({ sources: [link], target, cacheDir, racyWindowMs: 0 }));
    await refused(() => mirror({ sources: [src], target, cacheDir, racyWindowMs: 0 }));
  } finally {
    held.close();
  }

  // A --source-prefix through the link too.
  const prefixed = join(w.dir, "prefixed");
  await mirror({
    sources: [join(src, "d")],
    target,
    sourcePrefix: src,
    cacheDir: prefixed,
    racyWindowMs: 0,
  });
  const viaLink = await mirror({
    sources: [join(link, "d")],
    target,
    sourcePrefix: link,
    cacheDir: prefixed,
    racyWindowMs: 0,
  });
  assertEquals([viaLink.unchanged, viaLink.hashed], [1, 0]);
  assertEquals((await stateFiles(prefixed)).length, 1);
});

Deno.test("mirror: a target directory reached through a symbolic link is the same state file and lock", async () => {
  await using w = await tempDir();
  const cacheDir = join(w.dir, "cache");
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const store = `file://${join(w.dir, "store")}`;
  await mirror({ sources: [src], target: store, cacheDir: join(w.dir, "other") });
  const dst = join(w.dir, "dst");
  await Deno.mkdir(dst);
  const link = join(w.dir, "link");
  await Deno.symlink(dst, link);

  await mirror({ sources: [store], target: dst, cacheDir, racyWindowMs: 0 });
  const again = await mirror({ sources: [store], target: `${link}/`, cacheDir, racyWindowMs: 0 });
  assertEquals([again.transferred, again.unchanged], [0, 1]);
  const files = await stateFiles(cacheDir);
  assertEquals(files.length, 1, files.join(", "));
  const held = new MirrorState(files[0]!);
  try {
    await refused(() => mirror({ sources: [store], target: link, cacheDir, racyWindowMs: 0 }));
  } finally {
    held.close();
  }
});

Deno.test("mirror: a state file named from a link's spelling by an earlier version is taken over", async () => {
  await using w = await tempDir();
  const cacheDir = join(w.dir, "cache");
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "d/b.txt": "b" });
  await settle();
  const link = join(w.dir, "link");
  await Deno.symlink(src, link);
  const store = join(w.dir, "store");
  const target = `file://${store}`;
  // The name an earlier version gave a run through the link.
  const old = defaultStatePath(cacheDir, {
    sources: [link],
    target,
    sourcePrefix: "",
    targetPrefix: "",
  });
  const first = await mirror({ sources: [link], target, statePath: old, racyWindowMs: 0 });
  assertEquals(first.hashed, 2);

  // Held by a run of the earlier version: refused, not run beside it.
  const held = new MirrorState(old);
  try {
    await refused(() => mirror({ sources: [link], target, cacheDir, racyWindowMs: 0 }));
  } finally {
    held.close();
  }

  const again = await mirror({ sources: [link], target, cacheDir, racyWindowMs: 0 });
  assertEquals([again.unchanged, again.hashed], [2, 0]);
  const files = await stateFiles(cacheDir);
  assertEquals(files.length, 1, files.join(", "));
  // The name the real path always had: its state files stay valid.
  const usual = defaultStatePath(cacheDir, {
    sources: [src],
    target,
    sourcePrefix: "",
    targetPrefix: "",
  });
  assertEquals([files[0], await Deno.lstat(old).then(() => true, () => false)], [usual, false]);
  const real = await mirror({ sources: [src], target, cacheDir, racyWindowMs: 0 });
  assertEquals([real.unchanged, real.hashed], [2, 0]);
});
