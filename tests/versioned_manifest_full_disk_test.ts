/**
 * `vc add` / `vc update` with the manifest (and its lock file) on a full
 * disk. The pin's writes were tried before the upload by making an empty
 * temp file beside each, which a full disk allows: the version was
 * published, and only then did the manifest's write fail (`published … but
 * could not write lock file …: No space left on device`), leaving it in the
 * bucket and pinned nowhere. The try now writes as many bytes as the
 * rewrite needs, so a full disk refuses the add before anything is
 * published, saying so; the manifest and the lock file stay as they were,
 * no temp file is left, and once space is back the same add works. Needs a
 * small file system to fill: a tmpfs mount (root on Linux); ignored
 * elsewhere.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { canMount, fillDisk, tmpfsScratch } from "./mounts.ts";

Deno.test({
  name: "add / update: a manifest on a full disk is refused before anything is published, " +
    "left as it was (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await using scratch = await tmpfsScratch("vc-manifest-full-disk-", { options: "size=256k" });
    const manifest = join(scratch.mnt, "versioned_assets.json");
    const lockFile = join(scratch.mnt, "versioned_assets.lock.json");
    const bucket = join(scratch.dir, "bucket");
    const file = join(scratch.dir, "a.csv");
    await Deno.writeTextFile(file, "1\n");
    await using cache = new AssetCache({ cacheDir: join(scratch.dir, "cache") });
    await using vc = new VersionedCache({ manifest, bucket, cache });
    await vc.add("/a.csv", file);
    const pinned = await Deno.readTextFile(manifest);
    const locked = await Deno.readTextFile(lockFile);
    const names = () => [...Deno.readDirSync(scratch.mnt)].map((e) => e.name).sort();
    const published = () => [...Deno.readDirSync(bucket)].map((e) => e.name).sort();
    const before = { names: names(), published: published() };

    await fillDisk(join(scratch.mnt, "filler"));
    const refused = async (call: () => Promise<unknown>) => {
      const e = await assertRejects(call);
      assertStringIncludes(e.message, `cannot write manifest ${manifest}`);
      assertStringIncludes(e.message, "no space left");
      assertStringIncludes(e.message, "nothing was published");
      assertEquals(published(), before.published); // was: b.1.0.0.csv, a.1.0.1.csv
      assertEquals(await Deno.readTextFile(manifest), pinned);
      assertEquals(await Deno.readTextFile(lockFile), locked);
      assertEquals(names(), [...before.names, "filler"].sort());
    };
    await refused(() => vc.add("/b.csv", file));
    await Deno.writeTextFile(file, "2\n");
    await refused(() => vc.update("/a.csv", file, { patch: true }));

    await Deno.remove(join(scratch.mnt, "filler"));
    await vc.add("/b.csv", file);
    assertEquals(JSON.parse(await Deno.readTextFile(manifest)), {
      "/a.csv": "1.0.0",
      "/b.csv": "1.0.0",
    });
  },
});
