/**
 * The mirror's state file: the ordered scan a run reads it with
 * (`MirrorState.cursor`) against point lookups, across pages and with keys
 * whose UTF-16 order is not their UTF-8 order.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { MirrorState, type StateRow } from "../src/mirror/state.ts";
import { FsStore } from "../src/store/fs.ts";
import { compareUtf8 } from "../src/walk.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { settle, tempDir, upOptions, writeTree } from "./mirror_helpers.ts";

const row = (i: number): StateRow => ({
  size: i,
  mtimeMs: i + 0.5,
  ctimeMs: i * 2,
  ino: i + 7,
  md5: i.toString(16).padStart(32, "0"),
  etag: `e${i}`,
  validator: `v${i}`,
});

// "\uFFFD" sorts after "😀" in UTF-16 but before it in UTF-8 (S3's order).
const ODD = ["\uFFFD", "😀", "é", "z", "Z", "a/b", "a-b", "a.b", "\u00a0", "~"];

Deno.test("state cursor: an ordered scan over several pages answers like point lookups", () => {
  const state = new MirrorState(":memory:");
  try {
    const keys: string[] = [];
    for (let i = 0; i < 2600; i++) keys.push(`${ODD[i % ODD.length]}/${i % 1303}`);
    const unique = [...new Set(keys)];
    // Written in an order unlike the scan's.
    unique.forEach((k, i) => state.set(k, row(i)));
    state.flush();
    // Two keys in three asked, plus keys the state has never seen.
    const asked = [...unique.filter((_, i) => i % 3 !== 1), "k1/missing", "k99/zz", "\uFFFF"]
      .sort(compareUtf8);
    const lookup = state.cursor();
    for (const k of asked) {
      // A scan's row also carries its key; the values must be the point lookup's.
      const got = lookup(k);
      if (got !== undefined) assertEquals((got as { key?: string }).key, k, k);
      const { key: _, ...values } = (got ?? {}) as Record<string, unknown>;
      assertEquals(got === undefined ? undefined : values, state.get(k) as unknown, k);
    }
    assertEquals(lookup("\uFFFF\uFFFF"), undefined); // past the end
  } finally {
    state.close();
  }
});

Deno.test("state cursor: starts at `from`; keys asked out of order get no row, never a wrong one", () => {
  const state = new MirrorState(":memory:");
  try {
    for (const [i, k] of ["a/1", "b/1", "b/2", "c/1"].entries()) state.set(k, row(i));
    const scoped = state.cursor("b/");
    assertEquals(scoped("a/1"), undefined); // before the scope
    assertEquals({ ...scoped("b/1") } as unknown, { key: "b/1", ...row(1) }); // a scan's row carries its key
    assertEquals({ ...scoped("b/2") } as unknown, { key: "b/2", ...row(2) }); // a scan's row carries its key
    assertEquals(scoped("b/1"), undefined); // already passed
    assertEquals({ ...scoped("c/1") } as unknown, { key: "c/1", ...row(3) }); // a scan's row carries its key
    const empty = new MirrorState(":memory:");
    assertEquals(empty.cursor()("a"), undefined);
    empty.close();
  } finally {
    state.close();
  }
});

Deno.test("mirror: keys whose UTF-16 and UTF-8 orders differ stay unchanged on the second run", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const files: Record<string, string> = {};
  for (const [i, name] of ODD.filter((n) => !n.includes("/")).entries()) {
    files[`${name}.txt`] = `v${i}`;
    files[`d${name}/x`] = `w${i}`;
  }
  await writeTree(src, files);
  await settle();
  const store = new FsStore(join(w.dir, "bucket"));
  try {
    const opts = upOptions(w.dir, store);
    const first = await mirror(opts);
    assertEquals([first.transferred, first.failed.length], [Object.keys(files).length, 0]);
    const second = await mirror(opts);
    assertEquals(
      [second.transferred, second.unchanged, second.hashed, second.heads],
      [0, Object.keys(files).length, 0, 0],
    );
  } finally {
    await store.close();
  }
});

Deno.test("compareUtf8 (the merge's order) agrees with comparing UTF-8 bytes, lone surrogates too", () => {
  const enc = new TextEncoder();
  const bytewise = (a: string, b: string) => {
    const x = enc.encode(a);
    const y = enc.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  };
  const units = [
    "a",
    "z",
    "/",
    "\u00e9",
    "\uFFFD",
    "\uFFFF",
    "\uE000",
    "\uD83D",
    "\uDE00",
    "\uD800",
    "\uDC00",
  ];
  let seed = 7;
  const pick = () => units[(seed = (seed * 1103515245 + 12345) >>> 0) % units.length]!;
  const strings = [""];
  for (let i = 0; i < 400; i++) {
    let s = "";
    const n = (seed = (seed * 1103515245 + 12345) >>> 0) % 5;
    for (let j = 0; j < n; j++) s += pick();
    strings.push(s, `k/${s}`, `${s}x`);
  }
  for (const a of strings) {
    for (const b of strings.slice(0, 300)) {
      assertEquals(
        Math.sign(compareUtf8(a, b)),
        Math.sign(bytewise(a, b)),
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      );
    }
  }
});

Deno.test("state file: a directory or a FIFO is refused naming what it is, and no lock file is left beside it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = join(dir, "fifo");
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    await Deno.mkdir(join(dir, "d"));
    for (const [path, kind] of [[join(dir, "d"), "a directory"], [fifo, "a FIFO"]]) {
      const e = assertThrows(() => new MirrorState(path!), InvalidInputError);
      assertStringIncludes(e.message, `mirror state file ${path} is ${kind}`);
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["d", "fifo"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state file: the row of a large file is committed before the batch fills, so a run killed later need not hash it again", async () => {
  await using w = await tempDir();
  const path = join(w.dir, "state.sqlite");
  const stateUrl = new URL("../src/mirror/state.ts", import.meta.url).href;
  // A run that recorded one large upload (and a small file's row after it),
  // then died without closing the state (Deno.exit runs no finalizer, as kill -9).
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { MirrorState } from ${JSON.stringify(stateUrl)};
       const state = new MirrorState(${JSON.stringify(path)});
       const row = (size) => ({ size, mtimeMs: 1, ctimeMs: 1, ino: 1, md5: "0".repeat(32), etag: "e" });
       state.set("big.bin", row(2 ** 30));
       state.set("small.txt", row(10));
       Deno.exit(0);`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(child.code, 0, new TextDecoder().decode(child.stderr));
  const state = new MirrorState(path);
  try {
    assertEquals(state.get("big.bin")?.size, 2 ** 30);
  } finally {
    state.close();
  }
});
