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
import { assertEquals } from "./assert.ts";
import { RACY_MS, settle, tempDir, writeTree } from "./mirror_helpers.ts";

const row = (i: number): StateRow => ({
  size: i,
  mtimeMs: i + 0.5,
  ctimeMs: i * 2,
  ino: i + 7,
  md5: i.toString(16).padStart(32, "0"),
  etag: `e${i}`,
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
    for (const k of asked) assertEquals(lookup(k), state.get(k), k);
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
    assertEquals(scoped("b/1"), row(1));
    assertEquals(scoped("b/2"), row(2));
    assertEquals(scoped("b/1"), undefined); // already passed
    assertEquals(scoped("c/1"), row(3));
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
    const opts = {
      sources: [src],
      target: store,
      statePath: join(w.dir, "s.db"),
      racyWindowMs: RACY_MS,
    };
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
