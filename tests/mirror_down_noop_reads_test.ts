/**
 * A store → local mirror's no-op re-run costs a stat per file, not a read.
 * Every file a download wrote was recorded "racy" (its ctime, the rename's,
 * was only just past), so the run after a download read the whole tree
 * again (`hashed` equal to the file count) though nothing had changed. A
 * downloaded file carries the object's own time, which vc set: a later
 * write gives it a new one, so only an object whose time is itself recent
 * leaves the file to be read again. Edits are still found: a same-size one
 * in the target (the file is read, and the object's content put back), and
 * one in the source directory store.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { mirror } from "../src/mirror/mirror.ts";
import { MirrorState } from "../src/mirror/state.ts";
import { FsStore } from "../src/store/fs.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { assertEquals } from "./assert.ts";
import { RACY_MS, settle, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

const OLD = new Date("2001-02-03T04:05:06Z");
// Wide enough that a slow machine cannot make a just-written object's time "settled".
const WINDOW_MS = 60_000;

async function age(root: string, rels: string[]): Promise<void> {
  for (const rel of rels) await Deno.utime(join(root, rel), OLD, OLD);
}

/** Writes `count` files (`d<i % 3>/f<i>.txt`) under `root`, all of time OLD. */
async function agedTree(root: string, count: number): Promise<void> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    files[`d${i % 3}/f${i}.txt`] = `content ${String(i).padStart(3, "0")}`;
  }
  await writeTree(root, files);
  await age(root, Object.keys(files));
}

Deno.test("mirror file:// store → local: a no-op re-run right after the download reads no file", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await agedTree(src, 40);
  // Not edited in the last seconds (the directory store vouches for no ETag
  // of a file changed since: it reads it).
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 1100));
  const dest = join(w.dir, "dest");
  const opts: MirrorOptions = {
    sources: [pathToFileURL(src).href],
    target: dest,
    statePath: join(w.dir, "s.db"),
    racyWindowMs: WINDOW_MS,
  };
  const first = await mirror(opts);
  assertEquals([first.transferred, first.failed.length], [40, 0]);

  const again = await mirror(opts);
  assertEquals(
    [again.transferred, again.unchanged, again.hashed, again.heads],
    [0, 40, 0, 0],
    "a no-op re-run takes every file's MD5 from the state",
  );

  // A same-size edit in the target (a write: a new mtime) is read and undone.
  await Deno.writeTextFile(join(dest, "d1/f1.txt"), "CONTENT 001");
  const local = await mirror(opts);
  assertEquals([local.hashed, local.transferred], [1, 1]);
  assertEquals((await treeContents(dest))["d1/f1.txt"], "content 001");

  // One that sets the time back to the object's own is found by its ctime.
  await settle();
  await Deno.writeTextFile(join(dest, "d2/f2.txt"), "CONTENT 002");
  await Deno.utime(join(dest, "d2/f2.txt"), OLD, OLD);
  const restored = await mirror(opts);
  assertEquals([restored.hashed, restored.transferred], [1, 1]);
  assertEquals((await treeContents(dest))["d2/f2.txt"], "content 002");

  // A same-size edit in the source directory, its time set back too.
  await Deno.writeTextFile(join(src, "d0/f3.txt"), "changed 003");
  await Deno.utime(join(src, "d0/f3.txt"), OLD, OLD);
  const source = await mirror(opts);
  assertEquals(source.transferred, 1);
  assertEquals((await treeContents(dest))["d0/f3.txt"], "changed 003");

  const quiet = await mirror(opts);
  assertEquals([quiet.transferred, quiet.hashed], [0, 0]);
});

Deno.test("mirror file:// store → local: a file of a just-written object is read again next run", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  // Its time is now: a write to the downloaded file within the window could
  // leave the very same stat, so the state does not vouch for it yet.
  await writeTree(src, { "new.txt": "fresh", "old.txt": "stale" });
  await age(src, ["old.txt"]);
  const opts: MirrorOptions = {
    sources: [pathToFileURL(src).href],
    target: join(w.dir, "dest"),
    statePath: join(w.dir, "s.db"),
    racyWindowMs: WINDOW_MS,
  };
  assertEquals((await mirror(opts)).transferred, 2);
  const again = await mirror(opts);
  assertEquals([again.transferred, again.unchanged, again.hashed], [0, 2, 1]);
});

Deno.test("mirror local → file:// store: a no-op re-run reads no file, a same-size edit is found", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await agedTree(src, 40);
  await settle();
  const opts: MirrorOptions = {
    sources: [src],
    target: pathToFileURL(join(w.dir, "store")).href,
    statePath: join(w.dir, "s.db"),
    // The files are the user's: settled (above) before they are first read.
    racyWindowMs: RACY_MS,
  };
  assertEquals((await mirror(opts)).transferred, 40);
  const again = await mirror(opts);
  assertEquals([again.transferred, again.unchanged, again.hashed, again.heads], [0, 40, 0, 0]);
  await Deno.writeTextFile(join(src, "d1/f1.txt"), "CONTENT 001");
  await Deno.utime(join(src, "d1/f1.txt"), OLD, OLD);
  const edit = await mirror(opts);
  assertEquals([edit.hashed, edit.transferred], [1, 1]);
});

Deno.test("mirror directory store → local: a source it may not write sidecars into is not read by a no-op re-run", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await agedTree(src, 20);
  // Until the files' ctime is past the store's own settle time, it vouches for no state.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 1100));
  const dest = join(w.dir, "dest");
  // Each run a process of its own: a store of its own, which remembers nothing.
  // The user's directory (another user's, a read-only disk): no sidecar is
  // written there, so only a read tells a file's MD5.
  const run = async (statePath: string) => {
    let reads = 0;
    const store = new FsStore(src, {
      sidecars: "read-only",
      onHashProgress: (p) => {
        if (p.bytes === 0) reads++;
      },
    });
    try {
      const report = await mirror({
        sources: [store],
        target: dest,
        statePath: join(w.dir, statePath),
        racyWindowMs: WINDOW_MS,
      });
      return { report, reads };
    } finally {
      await store.close();
    }
  };
  assertEquals((await run("s.db")).report.transferred, 20);
  const again = await run("s.db");
  assertEquals(
    [again.report.transferred, again.report.unchanged, again.report.hashed, again.report.heads],
    [0, 20, 0, 0],
  );
  assertEquals(again.reads, 0, "no source file read");

  // A state that knows no ETag: one HEAD (a read) a file, once.
  const first = await run("fresh.db");
  assertEquals([first.report.transferred, first.report.unchanged, first.report.heads], [0, 20, 20]);
  assertEquals(first.reads, 20);
  const second = await run("fresh.db");
  assertEquals([second.report.transferred, second.report.heads, second.reads], [0, 0, 0]);

  // A same-size edit of the source, its time put back: a new validator.
  await Deno.writeTextFile(join(src, "d1/f4.txt"), "changed 004");
  await Deno.utime(join(src, "d1/f4.txt"), OLD, OLD);
  const edit = await run("s.db");
  assertEquals([edit.report.transferred, edit.report.unchanged], [1, 19]);
  assertEquals((await treeContents(dest))["d1/f4.txt"], "changed 004");
  const names = [];
  for await (const e of Deno.readDir(join(src, "d1"))) names.push(e.name);
  assertEquals(names.filter((n) => n.startsWith(".vc~")), [], "nothing written into the source");
});

Deno.test("mirror state: a state file written before the validator column is taken on", async () => {
  await using w = await tempDir();
  const path = join(w.dir, "old.db");
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE files (
    key TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
    ctime_ms REAL NOT NULL, ino INTEGER NOT NULL, md5 TEXT NOT NULL, etag TEXT NOT NULL
  ) WITHOUT ROWID`);
  db.prepare("INSERT INTO files VALUES ('k', 1, 2, 3, 4, 'm', 'e')").run();
  db.close();
  const state = new MirrorState(path);
  try {
    const row = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4, md5: "m", etag: "e", validator: "" };
    assertEquals(state.get("k"), row);
    state.set("k", { ...row, validator: "v" });
    assertEquals(state.cursor()("k")?.validator, "v");
  } finally {
    state.close();
  }
});
