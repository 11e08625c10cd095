/**
 * A manifest override whose store object is not there (`"/x.csv":
 * "s3://other/x.csv"`, a `file://` URI) fails `vc path` / `cat` / `get`
 * naming the manifest entry, as a missing local override does: the URI alone
 * does not say which entry of which manifest to fix.
 */
import { join } from "node:path";
import { toFileUrl } from "../src/path.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

Deno.test("a missing s3:// or file:// override is named as the manifest's entry", async () => {
  await using s3 = await startFakeS3();
  await s3.createBucket("other");
  await using dir = await tempDir("vc_override_missing_");
  const manifest = join(dir.path, "versioned_assets.json");
  const gone = toFileUrl(join(dir.path, "elsewhere", "gone.csv")).href;
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({ "/x/remote.csv": "s3://other/dir/nope.csv", "/x/dir.csv": gone }),
  );
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    store: testS3Options(s3),
  });
  await using vc = new VersionedCache({
    manifest,
    bucket: join(dir.path, "bucket"),
    cache,
    store: testS3Options(s3),
  });
  for (const [path, uri] of [["/x/remote.csv", "s3://other/dir/nope.csv"], ["/x/dir.csv", gone]]) {
    const error = await assertRejects(() => vc.path(path as string), NotFoundError);
    assertStringIncludes(error.message, `override of ${path} in ${manifest}: `);
    assertStringIncludes(error.message, uri as string);
  }
});
