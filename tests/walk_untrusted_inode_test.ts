// The walk tells a directory by its device and inode, to refuse a loop of
// links back into one it is inside. On Windows Deno's `ino` is the NTFS file
// reference number (its top 16 bits the record's sequence number), which as a
// JavaScript number loses its low bits above 2^53: a subdirectory and its
// parent (MFT records side by side, reused alike) then read as one
// directory. Where the file system does not answer Deno's FileAllInformation
// query (some network shares and file-system drivers), `ino` is null and
// every directory read as `<dev>:null`. Either way the walk took a plain
// subdirectory for "a symbolic link loop" and left it out without a word: a
// local → store `vc mirror` uploaded none of its files, and with `--delete`
// deleted their objects from the target. Simulated here by giving the walk
// the `ino` such a system gives (Linux cannot make one).
import assert from "node:assert/strict";
import { walkFiles } from "../src/walk.ts";
import { fileIdentity } from "../src/fs_platform.ts";

type Stat = (path: string | URL) => Deno.FileInfo;

/** Runs `fn` with every `stat` / `lstat` giving the inode `ino(real)`. */
async function withInodes<T>(
  ino: (real: number | null) => number | null,
  fn: () => Promise<T>,
): Promise<T> {
  const { stat, statSync, lstatSync } = Deno;
  const patch = (info: Deno.FileInfo): Deno.FileInfo => ({ ...info, ino: ino(info.ino) });
  const d = Deno as { stat: typeof Deno.stat; statSync: Stat; lstatSync: Stat };
  d.stat = async (path) => patch(await stat(path));
  d.statSync = (path) => patch(statSync(path));
  d.lstatSync = (path) => patch(lstatSync(path));
  try {
    return await fn();
  } finally {
    d.stat = stat;
    d.statSync = statSync;
    d.lstatSync = lstatSync;
  }
}

async function tree(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/a/b`, { recursive: true });
  await Deno.writeTextFile(`${dir}/a/b/c.txt`, "c");
  await Deno.writeTextFile(`${dir}/a/d.txt`, "d");
  await Deno.writeTextFile(`${dir}/x.txt`, "x");
  return dir;
}

async function keys(dir: string, symlinks: "skip" | "follow" = "skip"): Promise<string[]> {
  const found: string[] = [];
  for await (const f of walkFiles(dir, { symlinks })) found.push(f.key);
  return found;
}

Deno.test("walk: a file system that gives no inode (null) still has its subdirectories walked", async () => {
  const dir = await tree();
  try {
    assert.deepEqual(await withInodes(() => null, () => keys(dir)), [
      "a/b/c.txt",
      "a/d.txt",
      "x.txt",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("walk: NTFS file references above 2^53, rounded alike, are not taken for one directory", async () => {
  const dir = await tree();
  try {
    // Sequence number 64 on records side by side: as numbers, several
    // records read the same (2^54 + n is a multiple of 4).
    const ntfs = (real: number | null) => 2 ** 54 + ((real ?? 0) % 4);
    assert.equal(2 ** 54 + 1, 2 ** 54); // what the runtime hands the walk
    assert.deepEqual(await withInodes(ntfs, () => keys(dir)), ["a/b/c.txt", "a/d.txt", "x.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("walk: with no inode to go by, a followed link back up is still a loop, never walked", async () => {
  const dir = await tree();
  try {
    await Deno.symlink("..", `${dir}/a/b/up`);
    await Deno.symlink(".", `${dir}/a/self`);
    assert.deepEqual(await withInodes(() => null, () => keys(dir, "follow")), [
      "a/b/c.txt",
      "a/d.txt",
      "x.txt",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fileIdentity: device and inode, or none where the inode cannot tell files apart", () => {
  const info = (ino: number | null, dev = 7) => ({ dev, ino });
  assert.equal(fileIdentity(info(42)), "7:42");
  assert.equal(fileIdentity(info(null)), undefined);
  assert.equal(fileIdentity(info(0)), undefined);
  assert.equal(fileIdentity(info(2 ** 53 - 1)), `7:${2 ** 53 - 1}`);
  assert.equal(fileIdentity(info(2 ** 53)), undefined);
  assert.equal(fileIdentity(info(0x0040_0000_0000_1001)), undefined);
});
