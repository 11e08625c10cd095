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
import { pathToFileURL } from "node:url";
import { mirror } from "../src/mirror/mirror.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { assertEquals } from "./assert.ts";
import { RACY_MS, settle, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

const OLD = new Date("2001-02-03T04:05:06Z");
// Wide enough that a slow machine cannot make a just-written object's time "settled".
const WINDOW_MS = 60_000;

async function age(root: string, rels: string[]): Promise<void> {
  for (const rel of rels) await Deno.utime(join(root, rel), OLD, OLD);
}

Deno.test("mirror file:// store → local: a no-op re-run right after the download reads no file", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) {
    files[`d${i % 3}/f${i}.txt`] = `content ${String(i).padStart(3, "0")}`;
  }
  await writeTree(src, files);
  await age(src, Object.keys(files));
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
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) {
    files[`d${i % 3}/f${i}.txt`] = `content ${String(i).padStart(3, "0")}`;
  }
  await writeTree(src, files);
  await age(src, Object.keys(files));
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
