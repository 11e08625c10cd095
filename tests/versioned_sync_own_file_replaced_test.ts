/**
 * `vc sync` refuses to write an asset over the manifest or the lock file,
 * which it tells, beside the path, by the file's identity (DEST reached
 * through a link to the manifest's directory). A sync states those files
 * once, not once an entry: the manifest or the lock file replaced while the
 * sync runs (`vc update` or `vc lock` in another process renames a new file
 * into place, a new inode) must still be refused, not told by the identity
 * it had when the sync began.
 */
import assert from "node:assert/strict";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { ownFilesAt } from "../src/versioned/helpers.ts";

// Replaces `file` by a rename of a copy of it (a new inode, as vc writes).
async function replaceByRename(file: string): Promise<void> {
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(`${file}.new`, text);
  await Deno.rename(`${file}.new`, file);
}

Deno.test("VersionedCache.sync: the manifest or lock file replaced during the sync is still not written over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sync_own_file_replaced_" });
  try {
    await Deno.mkdir(`${dir}/w`);
    await Deno.writeTextFile(`${dir}/conf.json`, '{"x": 1}\n');
    await using vc = new VersionedCache({
      manifest: `${dir}/w/versioned_assets.json`,
      bucket: `${dir}/bucket`,
      cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }),
    });
    for (const p of ["/versioned_assets.json", "/versioned_assets.lock.json", "/a.json"]) {
      await vc.add(p, `${dir}/conf.json`);
    }
    // DEST is the manifest's directory by another name: only the files'
    // identity tells that DEST's `versioned_assets.json` is the manifest.
    await Deno.symlink(`${dir}/w`, `${dir}/here`);
    const manifestBefore = (await Deno.stat(vc.manifest)).ino;
    const lockBefore = (await Deno.stat(vc.lockFile!)).ino;
    let replaced = false;
    const report = await vc.syncSettled(`${dir}/here`, {
      onProgress: () => {
        if (replaced) return;
        replaced = true;
        // Synchronously, before any entry is looked at.
        const manifest = Deno.readTextFileSync(vc.manifest);
        Deno.writeTextFileSync(`${vc.manifest}.new`, manifest);
        Deno.renameSync(`${vc.manifest}.new`, vc.manifest);
        const lock = Deno.readTextFileSync(vc.lockFile!);
        Deno.writeTextFileSync(`${vc.lockFile!}.new`, lock);
        Deno.renameSync(`${vc.lockFile!}.new`, vc.lockFile!);
      },
    });
    assert(replaced);
    assert.notEqual((await Deno.stat(vc.manifest)).ino, manifestBefore);
    assert.notEqual((await Deno.stat(vc.lockFile!)).ino, lockBefore);
    assert.deepEqual(report.copied.map((c) => c.path), ["/a.json"]);
    assert.deepEqual(report.failed.map((f) => f.path), [
      "/versioned_assets.json",
      "/versioned_assets.lock.json",
    ]);
    assert.match(String(report.failed[0]!.error), /it is the manifest of this sync/);
    assert.match(String(report.failed[1]!.error), /it is the lock file of this sync/);
    // Both still vc's: the manifest still parses and pins all three.
    assert.equal((await vc.ls()).length, 3);
    assert.match(await Deno.readTextFile(vc.lockFile!), /"\/a\.json@/);

    // Replaced again between two syncs: the next sync refuses as well.
    await replaceByRename(vc.manifest);
    const again = await vc.syncSettled(`${dir}/here`);
    assert.deepEqual(again.failed.map((f) => f.path), [
      "/versioned_assets.json",
      "/versioned_assets.lock.json",
    ]);
    assert.equal((await vc.ls()).length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ownFilesAt: a manifest that is a link is told at its target's name; other names cost no stat", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sync_own_file_replaced_" });
  try {
    await Deno.writeTextFile(`${dir}/real.json`, "{}");
    await Deno.symlink(`${dir}/real.json`, `${dir}/versioned_assets.json`);
    await Deno.writeTextFile(`${dir}/data.csv`, "x");
    const at = await ownFilesAt([[`${dir}/versioned_assets.json`, "the manifest"]]);
    assert.equal(await at(`${dir}/real.json`), "the manifest");
    assert.equal(await at(`${dir}/data.csv`), undefined);
    // Not a link: a DEST file of another name is not stated at all.
    const plain = await ownFilesAt([[`${dir}/real.json`, "the manifest"]]);
    const { stat, lstat } = Deno;
    let stats = 0;
    const d = Deno as { stat: typeof Deno.stat; lstat: typeof Deno.lstat };
    d.stat = (p) => (stats++, stat(p));
    d.lstat = (p) => (stats++, lstat(p));
    try {
      assert.equal(await plain(`${dir}/data.csv`), undefined);
      assert.equal(stats, 0);
      assert.equal(await plain(`${dir}/REAL.json`), undefined); // looked at: another file here
      assert(stats > 0);
    } finally {
      d.stat = stat;
      d.lstat = lstat;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
