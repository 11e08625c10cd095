/**
 * A lock file that is the manifest under another name (`--lock` / `VC_LOCK`
 * naming a symbolic link to it, or the manifest's path through a linked
 * directory) was refused only when the two paths were spelled alike. Through
 * a link, `vc add` published, wrote the lock entry into the manifest (an
 * empty one became a lock file, the new pin never written), or failed after
 * the upload with a lock file "entry" that was a manifest entry. It is now
 * refused before anything is published, naming both, as the same path is.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("add and update refuse a lock file that leads to the manifest, publishing nothing", async () => {
  await using dir = await tempDir("vc_lock_file_links_to_manifest_");
  const root = await Deno.realPath(dir.path);
  const bucket = join(root, "bucket");
  const manifest = join(root, "m.json");
  const file = join(root, "a.csv");
  await Deno.writeTextFile(file, "a\n");
  // The bucket holds a version of /b.csv, for update.
  await Deno.mkdir(bucket);
  await Deno.writeTextFile(join(bucket, "b.1.0.0.csv"), "b\n");
  await Deno.symlink("m.json", join(root, "alias.json"));
  await Deno.symlink(".", join(root, "here"));
  const open = (lock: string) =>
    new VersionedCache({
      manifest,
      bucket,
      lock,
      cache: new AssetCache({ cacheDir: join(root, "cache"), configPath: false, env: {} }),
    });

  for (const manifestText of ["{}\n", '{\n    "/b.csv": "1.0.0"\n}\n']) {
    await Deno.writeTextFile(manifest, manifestText);
    for (const lock of [join(root, "alias.json"), join(root, "here", "m.json")]) {
      await using vc = open(lock);
      const error = await assertRejects(() => vc.add("/a.csv", file), InvalidInputError);
      assertStringIncludes(error.message, `lock file ${lock} is the manifest ${manifest}`);
      assertStringIncludes(error.message, "nothing was published");
      const updated = await assertRejects(
        () => vc.update("/b.csv", file, { patch: true }),
        Error,
      );
      assertStringIncludes(updated.message, `lock file ${lock} is the manifest ${manifest}`);
      assertEquals(await Deno.readTextFile(manifest), manifestText, lock);
      const published = [...Deno.readDirSync(bucket)].filter((e) => !e.name.startsWith("."));
      assertEquals(published.map((e) => e.name), ["b.1.0.0.csv"]);
    }
  }
});
