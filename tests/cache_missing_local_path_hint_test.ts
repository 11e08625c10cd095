/**
 * `cache(x)` takes anything without a scheme as a local path (returned as is
 * when it exists), so an S3 object typed without its `s3://`
 * (`vc cache get my-bucket/models/w.bin`, or `s3//b/k` without the colon) was
 * only "local path my-bucket/models/w.bin does not exist": the error now names
 * the URI meant. Paths that do not read as a bucket and key get no such note.
 */
import { AssetCache, InvalidInputError, NotFoundError } from "../mod.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("cache(): a missing relative path shaped as bucket/key names the s3:// URI meant", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vc_local_hint_" });
  try {
    await using assets = new AssetCache({ cacheDir, offline: true });
    const path = "vc-no-such-bucket-4821/models/w.bin";
    const error = await assertRejects(() => assets.cache(path), NotFoundError);
    assertStringIncludes(error.message, `local path ${path} does not exist`);
    assertStringIncludes(
      error.message,
      "an object in S3 is written as a URI: s3://vc-no-such-bucket-4821/models/w.bin",
    );
    // `s3//` is a mistyped URI, refused as one (a local path of that shape is
    // written ./s3//...), with the URI meant.
    const typo = await assertRejects(
      () => assets.cache("s3//vc-no-such-bucket-4821/k.csv"),
      InvalidInputError,
    );
    assertStringIncludes(typo.message, "did you mean s3://vc-no-such-bucket-4821/k.csv?");
    // Not a bucket and key: an absolute path, ./x, a bare name, a first segment no bucket has.
    for (
      const path of [
        "/vc-no-such-dir-4821/x.csv",
        "./vc-no-such-4821/x.csv",
        "x.csv",
        "No_Bucket/x",
      ]
    ) {
      const error = await assertRejects(() => assets.cache(path), NotFoundError);
      assert(!error.message.includes("s3://"), error.message);
    }
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
