/**
 * The README's patterns for leaving out OS and editor junk (`.DS_Store`,
 * `._*`, `Thumbs.db`, `desktop.ini`, swap files, `~$` Office locks, partial
 * downloads) as `vc mirror --exclude` takes them, read from the README's
 * example so the doc cannot drift: they leave the junk out at every depth,
 * both ways, and with `--delete` junk already on the target is kept (as
 * `aws s3 sync --exclude` and rclone without `--delete-excluded` keep it),
 * while the real files are mirrored and their deletes still made.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { settle, storeContents, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";
import { storeWith } from "./mirror_clash_helpers.ts";

const README = await Deno.readTextFile(
  fileURLToPath(new URL("../README.md", import.meta.url)),
);

/** The `--exclude` patterns of the README's junk example. */
function junkPatterns(): string[] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => b.includes("thumbs\\.db"));
  assertEquals(blocks.length, 1, "one README example for OS junk");
  return [...blocks[0]!.matchAll(/--exclude '([^']*)'/g)].map((m) => m[1]!);
}

/** Junk at the top, nested, and in names that merely resemble it (which stay). */
const JUNK = {
  ".DS_Store": "j",
  "a/b/.DS_Store": "j",
  "a/._photo.jpg": "j",
  "a/Thumbs.db": "j",
  "a/b/thumbs.DB": "j",
  "desktop.ini": "j",
  "a/b/Desktop.ini": "j",
  "a/.notes.txt.swp": "j",
  "a/b/.x.swo": "j",
  "a/notes.txt~": "j",
  "a/~$report.xlsx": "j",
  "a/b/big.iso.crdownload": "j",
  "a/b/video.mp4.part": "j",
};
const REAL = {
  "a/photo.jpg": "p",
  "a/report.xlsx": "r",
  "a/b/data.csv": "d",
  "a/b/my.DS_Store.txt": "keep",
  "a/b/thumbs.dbx": "keep",
  "a/b/swap.swpx": "keep",
  "a/b/x~y.txt": "keep",
};

Deno.test("mirror --exclude (README's OS junk patterns): left out at every depth, and kept on the target with --delete", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { ...JUNK, ...REAL, "gone.txt": "g" });
  await settle();
  // Junk another tool put into the store, and an object whose file goes.
  await using store = await storeWith({ ".DS_Store": "old", "a/Thumbs.db": "old" });
  const options = {
    sources: [src],
    target: store,
    exclude: junkPatterns(),
    delete: true,
    statePath: join(w.dir, "s.db"),
    racyWindowMs: 0,
  };
  const first = await mirror(options);
  assertEquals(first.failed, []);
  assertEquals(await storeContents(store), {
    ...REAL,
    "gone.txt": "g",
    ".DS_Store": "old",
    "a/Thumbs.db": "old",
  });
  await Deno.remove(join(src, "gone.txt"));
  const second = await mirror(options);
  assertEquals(second.deleted, 1, "a real file's delete is still made");
  assertEquals(await storeContents(store), { ...REAL, ".DS_Store": "old", "a/Thumbs.db": "old" });
});

Deno.test("mirror store → local --exclude (README's OS junk patterns): local junk is kept with --delete, the store's not written", async () => {
  await using w = await tempDir();
  await using store = await storeWith({ ...REAL, ".DS_Store": "s", "a/b/Thumbs.db": "s" });
  const target = join(w.dir, "t");
  await writeTree(target, { ...JUNK, "stale.txt": "x" });
  const r = await mirror({
    sources: [store],
    target,
    exclude: junkPatterns(),
    delete: true,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals(r.failed, []);
  assertEquals(r.deleted, 1, "stale.txt, nothing else");
  assertEquals(await treeContents(target), { ...REAL, ...JUNK });
});
