// `vc get PATH DEST` and `vc sync` refuse to write an asset over the
// manifest or the lock file, which they tell, beside the path, by device and
// inode (DEST reached through a link, or spelled in another letter case). On
// Windows Deno's inode is the NTFS file reference number, which above 2^53
// loses its low bits as a number: files made one after the other read as one
// file, and a DEST that was no file of vc's was refused as "the manifest".
// Where the file system gives no inode at all (null), the manifest spelled in
// another case was not recognised, and the asset's bytes replaced it.
// Simulated by giving `stat` / `lstat` the inode such a system gives.
import assert from "node:assert/strict";
import { ownFileAt } from "../src/versioned/helpers.ts";

async function withInode<T>(ino: number | null, fn: () => Promise<T>): Promise<T> {
  const { stat, lstat } = Deno;
  const d = Deno as { stat: typeof Deno.stat; lstat: typeof Deno.lstat };
  d.stat = async (path) => ({ ...(await stat(path)), ino });
  d.lstat = async (path) => ({ ...(await lstat(path)), ino });
  try {
    return await fn();
  } finally {
    d.stat = stat;
    d.lstat = lstat;
  }
}

Deno.test("ownFileAt: inodes that read alike (NTFS, rounded) do not make another file the manifest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = `${dir}/versioned_assets.json`;
    await Deno.writeTextFile(manifest, "{}");
    await Deno.writeTextFile(`${dir}/data.csv`, "old");
    const own = [[manifest, "the manifest"]] as const;
    assert.equal(await withInode(2 ** 54, () => ownFileAt(`${dir}/data.csv`, own)), undefined);
    assert.equal(await withInode(2 ** 54, () => ownFileAt(manifest, own)), "the manifest");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ownFileAt: with no inode, the manifest reached through a link is still the manifest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/w`);
    await Deno.symlink(`${dir}/w`, `${dir}/link`);
    const manifest = `${dir}/w/versioned_assets.json`;
    await Deno.writeTextFile(manifest, "{}");
    const own = [[manifest, "the manifest"]] as const;
    assert.equal(
      await withInode(null, () => ownFileAt(`${dir}/link/versioned_assets.json`, own)),
      "the manifest",
    );
    await Deno.writeTextFile(`${dir}/w/data.csv`, "old");
    assert.equal(await withInode(null, () => ownFileAt(`${dir}/link/data.csv`, own)), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
