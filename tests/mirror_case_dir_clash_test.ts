/**
 * Store → local mirror onto a case-insensitive file system (macOS, Windows;
 * switched on here with `withCaseInsensitiveFs`) of a bucket holding a
 * key that is a directory of another key in another letter case (`A`
 * beside `a/b.txt`, `x/Y` beside `x/y/z`, `b` beside `B/x`): there `A` and
 * the directory `a` are one name. Every download was planned, and which
 * one the file system got depended on which finished first. Now the file
 * gives way, as in the exact case, decided from the whole listing before
 * any download: the same at any concurrency and on every run, reported
 * once naming both keys, and `--delete` never deletes a local file for it.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { foldedDirectoryClashes } from "../src/mirror/dir_clash.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { checkClashShape, clashLines, type ClashShape, storeWith } from "./mirror_clash_helpers.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents } from "./mirror_helpers.ts";

const enc = new TextEncoder();

const many: ClashShape = (() => {
  const keys: Record<string, string> = {};
  const tree: Record<string, string> = {};
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const n = String(i).padStart(2, "0");
    // Upper-case files, lower-case directories, and the reverse.
    keys[`D${n}`] = `file D${n}`;
    keys[`d${n}/in.txt`] = `in d${n}`;
    tree[`d${n}/in.txt`] = `in d${n}`;
    lines.push(`D${n}: gives way to "d${n}/in.txt"`);
    keys[`E${n}/in.txt`] = `in E${n}`;
    keys[`e${n}`] = `file e${n}`;
    tree[`E${n}/in.txt`] = `in E${n}`;
    lines.push(`e${n}: gives way to "E${n}/in.txt"`);
    keys[`f${n}`] = `plain f${n}`;
    tree[`f${n}`] = `plain f${n}`;
  }
  return { name: "many keys", keys, tree, lines: lines.sort() };
})();

const SHAPES: ClashShape[] = [
  {
    name: "A vs a/b.txt",
    keys: { A: "file A", "a/b.txt": "under a", "a.txt": "a.txt" },
    tree: { "a/b.txt": "under a", "a.txt": "a.txt" },
    lines: ['A: gives way to "a/b.txt"'],
  },
  {
    name: "x/Y vs x/y/z",
    keys: { "x/Y": "file Y", "x/y/z": "z", "x/Y.txt": "Y.txt" },
    tree: { "x/y/z": "z", "x/Y.txt": "Y.txt" },
    lines: ['x/Y: gives way to "x/y/z"'],
  },
  {
    name: "B/x vs b",
    keys: { "B/x": "x", b: "file b" },
    tree: { "B/x": "x" },
    lines: ['b: gives way to "B/x"'],
  },
  {
    name: "A, a/b.txt, B/x, b",
    keys: { A: "file A", "a/b.txt": "under a", "B/x": "x", b: "file b" },
    tree: { "a/b.txt": "under a", "B/x": "x" },
    lines: ['A: gives way to "a/b.txt"', 'b: gives way to "B/x"'],
  },
  {
    name: "Unicode form and chains",
    // `cafe` + U+0301 (NFD) and `café` (NFC) are one name on macOS; `P`
    // gives way to `p/Q/r`, and so does `p/q`.
    keys: {
      "cafe\u0301": "nfd file",
      "caf\u00e9/x": "under nfc",
      P: "P",
      "p/q": "q",
      "p/Q/r": "r",
    },
    tree: { "caf\u00e9/x": "under nfc", "p/Q/r": "r" },
    lines: [
      'P: gives way to "p/Q/r"',
      'cafe\u0301: gives way to "caf\u00e9/x"',
      'p/q: gives way to "p/Q/r"',
    ],
  },
  many,
];

for (const shape of SHAPES) {
  for (const concurrency of [1, 16]) {
    Deno.test(`mirror store → local, case-insensitive, ${shape.name}, concurrency ${concurrency}: a key that is a directory of others in another case gives way, every run alike`, async () => {
      await withCaseInsensitiveFs(() => checkClashShape(shape, concurrency));
    });
  }
}

Deno.test("mirror store → local, case-sensitive target: keys of a directory in another case are all written", async () => {
  await withFsPlatform({ caseInsensitive: false }, async () => {
    await using dir = await tempDir();
    const keys = { A: "file A", "a/b.txt": "under a", "B/x": "x", b: "file b" };
    await using store = await storeWith(keys);
    const target = join(dir.dir, "t");
    const r = await mirror({ sources: [store], target, statePath: join(dir.dir, "s.db") });
    assertEquals([r.failed, r.transferred], [[], 4]);
    assertEquals(await treeContents(target), keys);
  });
});

Deno.test("mirror store → local, case-insensitive: the message names both keys, the directory's spelling and what to do", async () => {
  await withCaseInsensitiveFs(async () => {
    await using dir = await tempDir();
    await using store = await storeWith({ A: "file A", "a/b.txt": "under a" });
    const r = await mirror({
      sources: [store],
      target: join(dir.dir, "t"),
      statePath: join(dir.dir, "s.db"),
    });
    assertEquals(r.failed.length, 1);
    assertEquals(r.failed[0]!.key, "A");
    assertEquals(r.failed[0]!.path, "memory://bkt/A");
    assertEquals(
      r.failed[0]!.error,
      'not written: the key "a/b.txt" needs the directory "a", the same name here (this file ' +
        "system does not tell letter case or Unicode form apart; a bucket holds both, a file " +
        "system cannot), so the keys below it are mirrored instead; rename or remove this " +
        "object in the store, or leave it out with --exclude",
    );
  });
});

Deno.test("mirror store → local, case-insensitive: a clash split over listing pages, a source prefix, several stores", async () => {
  await withCaseInsensitiveFs(async () => {
    // Over 1000 keys between `A` and `a/b.txt`: listed on different pages
    // (and, on the second run, in different ranges listed at once).
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/A", enc.encode("file A"));
    await b.store.put("p/a/b.txt", enc.encode("under a"));
    for (let i = 0; i < 1100; i++) {
      await b.store.put(`p/M/${String(i).padStart(4, "0")}`, enc.encode(""));
    }
    const opts = prefixToLocal(b.store, w.dir, { delete: true, concurrency: 16 });
    for (let run = 0; run < 2; run++) {
      const r = await mirror(opts);
      assertEquals(clashLines(r.failed), ['A: gives way to "a/b.txt"'], `run ${run}`);
      assertEquals([r.transferred, r.deleted], [run === 0 ? 1101 : 0, 0]);
    }
    assertEquals((await treeContents(opts.target))["a/b.txt"], "under a");
    assert(!("A" in await treeContents(opts.target)));

    // The two keys in two source stores.
    await using one = await storeWith({ A: "file A", "c.txt": "c" }, "memory://one");
    await using two = await storeWith({ "a/b.txt": "under a" }, "memory://two");
    const target = join(w.dir, "two");
    for (const concurrency of [1, 16]) {
      const r = await mirror({
        sources: [one, two],
        target,
        concurrency,
        delete: true,
        statePath: join(w.dir, "two.db"),
      });
      assertEquals(clashLines(r.failed), ['A: gives way to "a/b.txt"']);
      assertEquals(r.failed[0]!.path, "memory://one/A");
      assertEquals(await treeContents(target), { "a/b.txt": "under a", "c.txt": "c" });
    }
  });
});

Deno.test("mirror store → local, case-insensitive: a stale local file where a clash now is stays, also with --delete", async () => {
  await withCaseInsensitiveFs(async () => {
    await using dir = await tempDir();
    await using store = await storeWith({ A: "file A" });
    const target = join(dir.dir, "t");
    const options = { sources: [store], target, delete: true, statePath: join(dir.dir, "s.db") };
    assertEquals((await mirror(options)).transferred, 1);
    // A key below `a` arrives: `A`'s file, mirrored before, is in its way.
    await store.put("a/b.txt", enc.encode("under a"));
    for (const concurrency of [1, 16]) {
      const r = await mirror({ ...options, concurrency });
      assertEquals([r.deleted, r.transferred], [0, 0]);
      const byKey = new Map(r.failed.map((f) => [f.key, f.error]));
      assertEquals([...byKey.keys()].sort(), ["A", "a/b.txt"]);
      assertMatch(byKey.get("A")!, /once the file .*\/t\/A is moved away \(kept/);
      assertEquals(await treeContents(target), { A: "file A" });
    }

    // The local file spelled like the directory (`a`, an earlier key's),
    // the store now holding `A` and `a/b.txt`: `a` is `A`'s file there,
    // kept (no delete clears it out of the way of `a/b.txt`).
    await using dir2 = await tempDir();
    await using store2 = await storeWith({ a: "old a" });
    const target2 = join(dir2.dir, "t");
    const options2 = {
      sources: [store2],
      target: target2,
      delete: true,
      statePath: join(dir2.dir, "s.db"),
    };
    await mirror(options2);
    await store2.delete(["a"]);
    await store2.put("A", enc.encode("file A"));
    await store2.put("a/b.txt", enc.encode("under a"));
    for (const concurrency of [1, 16]) {
      const r = await mirror({ ...options2, concurrency });
      assertEquals(r.deleted, 0);
      assertEquals(r.failed.map((f) => f.key).sort(), ["A", "a/b.txt"]);
      assertEquals(await treeContents(target2), { a: "old a" });
    }
  });
});

Deno.test("foldedDirectoryClashes: names a key below that is written; unwritable keys decide nothing", async () => {
  const keys = ["A", "a/B", "a/b/C", "x", "X/..", "y/..", "Y"].map((key) => ({ key }));
  const { losers } = await foldedDirectoryClashes(
    [keys.slice(0, 3), keys.slice(3)],
    (key) => !key.split("/").includes(".."),
  );
  assertEquals([...losers], [["a", "a/b/C"], ["a/b", "a/b/C"]]);
});

Deno.test("vc mirror, case-insensitive: the report line names both keys, once", async () => {
  await withCaseInsensitiveFs(async () => {
    await using ws = await CliWorkspace.create();
    await using fake = await startFakeS3({ buckets: ["b"] });
    await withProcessEnv({ ...fake.env }, async () => {
      await fake.putObject("b", "down/A", "file A");
      await fake.putObject("b", "down/a/b.txt", "under a");
      const r = await ws.run(["mirror", "s3://b/down", "out", "--state", "s.db", "--delete"]);
      const lines = r.stderr.split("\n").filter((l) => l.startsWith("vc: mirror: "));
      assertEquals(lines.length, 2, r.stderr);
      assertMatch(lines[0]!, /^vc: mirror: s3:\/\/b\/down\/A: not written: the key "a\/b.txt"/);
    });
  });
});

/** A store that runs `change` once, when its keys are listed the second time (the run's own listing). */
class ChangingStore extends MemoryStore {
  lists = 0;
  constructor(readonly change: (store: MemoryStore) => Promise<unknown>) {
    super({ url: "memory://changing" });
  }
  override async *list(prefix: string, options?: Parameters<MemoryStore["list"]>[1]) {
    if (++this.lists === 2) await this.change(this);
    yield* super.list(prefix, options);
  }
}

Deno.test("mirror store → local, case-insensitive: keys added between the plan's listing and the run's never race for a name", async () => {
  await withCaseInsensitiveFs(async () => {
    for (const concurrency of [1, 16]) {
      await using dir = await tempDir();
      // `a/b.txt` comes after `A` was planned as a plain file: `A` is
      // written, the new key is reported.
      await using one = new ChangingStore((s) => s.put("a/b.txt", enc.encode("under a")));
      await one.put("A", enc.encode("file A"));
      const r1 = await mirror({
        sources: [one],
        target: join(dir.dir, "one"),
        concurrency,
        statePath: join(dir.dir, "one.db"),
      });
      assertEquals(r1.failed.map((f) => f.key), ["a/b.txt"]);
      assertMatch(r1.failed[0]!.error, /^not written: the key "A", mirrored before it in this run/);
      assertEquals(await treeContents(join(dir.dir, "one")), { A: "file A" });
      // `B/x` comes before `b`: the usual rule, `b` gives way.
      await using two = new ChangingStore((s) => s.put("B/x", enc.encode("x")));
      await two.put("b", enc.encode("file b"));
      const r2 = await mirror({
        sources: [two],
        target: join(dir.dir, "two"),
        concurrency,
        statePath: join(dir.dir, "two.db"),
      });
      assertEquals(clashLines(r2.failed), ['b: gives way to "B/x"']);
      assertEquals(await treeContents(join(dir.dir, "two")), { "B/x": "x" });
    }
  });
});
