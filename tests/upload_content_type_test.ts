/**
 * Every data file vc uploads carries a `Content-Type` from its name, as
 * `aws s3 cp` and `vc mirror` give one: `vc add` / `vc update` and `vc repo
 * add` left S3's default (`binary/octet-stream`), so a browser or a bucket
 * served as a website offered `table.1.0.0.csv` as a download.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

Deno.test("vc add / update and repo add upload with the content type of the file's name", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  await using dir = await tempDir("vc-content-type-");
  // Small parts, so the multipart path is covered too.
  const options = testS3Options(s3, { multipartThreshold: 1024, partSize: 1024 });
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "a,b\n".repeat(300));
  const small = join(dir.path, "s.json");
  await Deno.writeTextFile(small, "{}\n");
  const manifest = join(dir.path, "versioned_assets.json");
  await Deno.writeTextFile(manifest, "{}\n");
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: options,
  });
  await using vc = new VersionedCache({ manifest, bucket: "s3://b/v", cache, store: options });
  await vc.add("/data/table.csv", file);
  await vc.update("/data/table.csv", small, { patch: true });
  await vc.add("/data/conf.json", small);
  await using store = await openStore("s3://b", options);
  // The media type, without parameters (`text/csv; charset=utf-8`).
  const typeOf = async (key: string) => (await store.head(key))?.contentType?.split(";")[0];
  assertEquals(await typeOf("v/data/table.1.0.0.csv"), "text/csv");
  assertEquals(await typeOf("v/data/table.1.0.1.csv"), "text/csv");
  assertEquals(await typeOf("v/data/conf.1.0.0.json"), "application/json");

  await using repo = await Repository.init("s3://b/repo", {
    catalog: `sqlite:${join(dir.path, "c.sqlite")}`,
    openStore: (u: string) => openStore(u, options),
  });
  const big = await repo.add("/raw/day.csv", file);
  const tiny = await repo.add("/raw/day.json", small);
  assertEquals(await typeOf(`repo/${big.contentKey}`), "text/csv");
  assertEquals(await typeOf(`repo/${tiny.contentKey}`), "application/json");
});
