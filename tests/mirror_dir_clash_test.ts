/**
 * Store → local mirror of a bucket holding a key that is also a directory
 * of other keys (`a` beside `a/b.txt`, `x/y` beside `x/y/z/w.bin`; aws s3 cp
 * and rclone write such keys without complaint). Which one a file system
 * got used to depend on which download finished first: with the default
 * concurrency `a/b.txt` was written and `a` reported, with one transfer at
 * a time the reverse. Now the plan decides from the listing, before any
 * download: the file gives way to the keys below it (as in `vc sync`), is
 * reported once naming the key that needs the directory, and the result is
 * the same at any concurrency and on every run, and `--delete` never
 * deletes a local file for it.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import type { Keyed, Pair } from "../src/mirror/plan.ts";
import { withoutDirectoryClashes } from "../src/mirror/dir_clash.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { S3Store } from "../src/store/s3.ts";
import { checkClashShape, clashLines, type ClashShape, storeWith } from "./mirror_clash_helpers.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { storeContents, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

const enc = new TextEncoder();

const manySiblings: ClashShape = (() => {
  const keys: Record<string, string> = { d: "file d", e: "file e" };
  const tree: Record<string, string> = { e: "file e" };
  const lines = ['d: gives way to "d/00.txt"'];
  for (let i = 0; i < 40; i++) {
    const n = String(i).padStart(2, "0");
    keys[`d/${n}.txt`] = `d${n}`;
    tree[`d/${n}.txt`] = `d${n}`;
    keys[`s${n}`] = `file s${n}`;
    keys[`s${n}/in.txt`] = `in s${n}`;
    tree[`s${n}/in.txt`] = `in s${n}`;
    lines.push(`s${n}: gives way to "s${n}/in.txt"`);
  }
  return { name: "many siblings", keys, tree, lines: lines.sort() };
})();

const SHAPES: ClashShape[] = [
  {
    name: "depth 1",
    // `a-1` and `a.txt` sort between `a` and `a/`.
    keys: { a: "file a", "a-1": "a-1", "a.txt": "a.txt", "a/b.txt": "under a", "c.txt": "c" },
    tree: { "a-1": "a-1", "a.txt": "a.txt", "a/b.txt": "under a", "c.txt": "c" },
    lines: ['a: gives way to "a/b.txt"'],
  },
  {
    name: "depth 3",
    keys: {
      "x/y": "file x/y",
      "x/y.txt": "y.txt",
      "x/y/z": "file x/y/z",
      "x/y/z/w.bin": "w",
      "x/y/z2/v.bin": "v",
      "x/y0": "y0",
    },
    tree: { "x/y.txt": "y.txt", "x/y/z/w.bin": "w", "x/y/z2/v.bin": "v", "x/y0": "y0" },
    lines: ['x/y/z: gives way to "x/y/z/w.bin"', 'x/y: gives way to "x/y/z/w.bin"'],
  },
  manySiblings,
];

for (const shape of SHAPES) {
  for (const concurrency of [1, 16]) {
    Deno.test(`mirror store → local, ${shape.name}, concurrency ${concurrency}: a key that is a directory of others gives way, every run alike`, () =>
      checkClashShape(shape, concurrency));
  }
}

Deno.test("mirror store → local: the losing key's own local file is kept (also with --delete), and said to be in the way", async () => {
  await using dir = await tempDir();
  await using store = await storeWith({ a: "file a" });
  const target = join(dir.dir, "t");
  const options = { sources: [store], target, delete: true, statePath: join(dir.dir, "s.db") };
  assertEquals((await mirror(options)).transferred, 1);
  // Keys below `a` arrive later: its file, mirrored before, is in their way.
  await store.put("a/b.txt", enc.encode("under a"));
  await store.put("a/c.txt", enc.encode("also under a"));
  for (const concurrency of [1, 16, 16]) {
    const r = await mirror({ ...options, concurrency });
    assertEquals(r.deleted, 0);
    assertEquals(r.transferred, 0);
    const byKey = new Map(r.failed.map((f) => [f.key, f]));
    assertEquals([...byKey.keys()].sort(), ["a", "a/b.txt", "a/c.txt"]);
    const a = byKey.get("a")!;
    assertEquals(a.path, "memory://bkt/a");
    assertEquals(
      a.error,
      'not written: the key "a/b.txt" needs a directory of this name (a bucket holds both, a ' +
        `file system cannot), so the keys below it are mirrored instead, once the file ` +
        `${join(target, "a")} is moved away (kept: a clash never deletes it); rename or remove ` +
        "this object in the store, or leave it out with --exclude",
    );
    assertMatch(byKey.get("a/b.txt")!.error, /^in the way: a file is where one of its directories/);
    assertEquals(await treeContents(target), { a: "file a" });
  }
  // Moved away, as the report says: the keys below it come, `a` stays reported.
  await Deno.rename(join(target, "a"), join(dir.dir, "a.saved"));
  const r = await mirror({ ...options, concurrency: 16 });
  assertEquals(clashLines(r.failed), ['a: gives way to "a/b.txt"']);
  assertEquals(await treeContents(target), { "a/b.txt": "under a", "a/c.txt": "also under a" });
});

Deno.test("mirror store → local: a tree mirrored before keeps mirroring when a file of its directory's name appears", async () => {
  await using dir = await tempDir();
  await using store = await storeWith({ "a/b.txt": "v1", "a/old.txt": "old" });
  const target = join(dir.dir, "t");
  const options = {
    sources: [store],
    target,
    delete: true,
    concurrency: 16,
    statePath: join(dir.dir, "s.db"),
  };
  await mirror(options);
  await store.put("a", enc.encode("stray"));
  await store.put("a/b.txt", enc.encode("v2"));
  await store.delete(["a/old.txt"]);
  const r = await mirror(options);
  assertEquals(clashLines(r.failed), ['a: gives way to "a/b.txt"']);
  assertEquals(r.transferred, 1);
  assertEquals(r.deleted, 1); // a/old.txt: no source any more
  assertEquals(await treeContents(target), { "a/b.txt": "v2" });
});

Deno.test("mirror local → store: files beside and below a name are uploaded as before", async () => {
  await using dir = await tempDir();
  await writeTree(join(dir.dir, "src"), {
    "a-1": "1",
    "a.txt": "t",
    "a/b.txt": "b",
    "x/y/z/w": "w",
  });
  await using store = new MemoryStore();
  for (const concurrency of [1, 16]) {
    const r = await mirror({
      sources: [join(dir.dir, "src")],
      target: store,
      concurrency,
      statePath: join(dir.dir, `up${concurrency}.db`),
    });
    assertEquals(r.failed, []);
  }
  assertEquals(await storeContents(store), {
    "a-1": "1",
    "a.txt": "t",
    "a/b.txt": "b",
    "x/y/z/w": "w",
  });
});

Deno.test("withoutDirectoryClashes: held keys cross batches, target-only and unwritable keys decide nothing", async () => {
  type P = Pair<Keyed, Keyed>;
  const src = (key: string): P => ({ key, source: { key } });
  const tgt = (key: string): P => ({ key, target: { key } });
  const batches: P[][] = [
    [src("a"), tgt("a-old")],
    [src("a.txt"), tgt("a/only-local.txt")],
    [src("a/x\\y")],
    [src("a/z"), src("b"), tgt("b/local")],
    [src("c")],
  ];
  const passed: string[] = [];
  const clashes: string[] = [];
  const merged = withoutDirectoryClashes(
    (async function* () {
      yield* batches;
    })(),
    (key) => !key.includes("\\"),
    (p, below) => clashes.push(`${p.key} < ${below}`),
  );
  for await (const batch of merged) {
    assert(batch.length > 0);
    passed.push(...batch.map((p) => p.key));
  }
  assertEquals(clashes, ["a < a/z"]);
  // Every pair but the one that gave way, once; source keys in key order.
  assertEquals(passed.slice().sort(), [
    "a-old",
    "a.txt",
    "a/only-local.txt",
    "a/x\\y",
    "a/z",
    "b",
    "b/local",
    "c",
  ]);
  const sources = passed.filter((k) => !["a-old", "a/only-local.txt", "b/local"].includes(k));
  assertEquals(sources, ["a.txt", "a/x\\y", "a/z", "b", "c"]);
});

Deno.test("vc mirror: the report line of a key that gives way names both keys and what to do", async () => {
  await using ws = await CliWorkspace.create();
  await using fake = await startFakeS3({ buckets: ["b"] });
  await withProcessEnv({ ...fake.env }, async () => {
    await fake.putObject("b", "down/a", "file a");
    await fake.putObject("b", "down/a/b.txt", "under a");
    for (let run = 0; run < 2; run++) {
      const r = await ws.run(["mirror", "s3://b/down", "out", "--state", "s.db", "--delete"]);
      assertEquals(r.code, 1, r.stderr);
      const lines = r.stderr.split("\n").filter((l) => l.startsWith("vc: mirror: "));
      assertEquals(lines, [
        'vc: mirror: s3://b/down/a: not written: the key "a/b.txt" needs a directory of this ' +
        "name (a bucket holds both, a file system cannot), so the keys below it are mirrored " +
        "instead; rename or remove this object in the store, or leave it out with --exclude",
        "vc: mirror: 1 failed; the rest was mirrored",
      ]);
      assertEquals(await treeContents(ws.path("out")), { "a/b.txt": "under a" });
    }
  });
});

Deno.test("withoutDirectoryClashes: a key below an unwritable one still makes the keys above it give way", async () => {
  type P = Pair<Keyed, Keyed>;
  const src = (key: string): P => ({ key, source: { key } });
  // `a/..` is not written (a ".." segment), `a/..!` is, and needs `a` as its
  // directory: `a` was passed on, and both downloads raced for the name.
  for (
    const keys of [
      ["a", "a/..", "a/..!", "b"],
      ["a", "a/..", "a/..!/c", "b"],
      ["x/y", "x/y/.", "x/y/.!", "x/y/z"],
    ]
  ) {
    const passed: string[] = [];
    const clashes: string[] = [];
    const merged = withoutDirectoryClashes(
      [keys.map(src)],
      (key) => !key.split("/").some((part) => part === "." || part === ".."),
      (p, below) => clashes.push(`${p.key} < ${below}`),
    );
    for await (const batch of merged) passed.push(...batch.map((p) => p.key));
    const [top, , below] = keys as [string, string, string];
    assertEquals(clashes, [`${top} < ${below}`], keys.join(" "));
    assertEquals(passed.slice().sort(), keys.filter((k) => k !== top).sort(), keys.join(" "));
  }
  // And through a mirror: `a` gives way, `a/..!` is written. On S3, where
  // another tool can write `a/..` (no vc store takes such a key).
  await using dir = await tempDir();
  await using fake = await startFakeS3({ buckets: ["b"] });
  for (const [k, v] of [["a", "file a"], ["a/..", "dots"], ["a/..!", "bang"]]) {
    await fake.putObject("b", k!, v!);
  }
  await using store = new S3Store({
    bucket: "b",
    endpoint: fake.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const target = join(dir.dir, "t");
  for (const concurrency of [1, 16]) {
    const r = await mirror({
      sources: [store],
      target,
      concurrency,
      statePath: join(dir.dir, `s${concurrency}.db`),
    });
    assert(r.failed.some((f) => f.key === "a" && f.error.includes('"a/..!" needs a directory')));
    assertEquals(await treeContents(target), { "a/..!": "bang" });
  }
});
