/**
 * `vc cache rm s3://b/k` (and `invalidate`) of a URI not cached through the
 * endpoint configured now looks for the endpoints it is cached from, for a
 * hint: it listed the whole cache (`ls()`), a minute for a hundred thousand
 * entries. `ls({ uri })` reads only the records of the URI's own directory,
 * once per endpoint namespace, and gives that URI's entries.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("ls({ uri }) reads only the URI's own directory, across endpoints", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const key of ["d/k.csv", "d/other.csv", "e/1.csv", "e/2.csv", "e/3.csv"]) {
    await s3.putObject("b", key, key);
  }
  const dir = await Deno.makeTempDir({ prefix: "vc-ls-one-uri-" });
  const cacheDir = join(dir, "cache");
  const env = {
    AWS_ENDPOINT_URL: s3.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: join(dir, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
  };
  try {
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env });
      for (const key of ["d/k.csv", "d/other.csv", "e/1.csv", "e/2.csv", "e/3.csv"]) {
        await cache.cache(`s3://b/${key}`);
      }
    }
    // Another endpoint (AWS's default): the copy is not its own.
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    let listed = 0;
    const entries = await cache.ls({
      uri: "s3://b/d/k.csv",
      onProgress: ({ done }) => listed = done,
    });
    assertEquals(entries.map((e) => [e.uri, e.endpoint]), [[
      "s3://b/d/k.csv",
      new URL(s3.url).host,
    ]]);
    // The two records of its directory, not the five of the cache.
    assertEquals(listed, 2);
    assertEquals(await cache.ls({ uri: "s3://b/d/none.csv" }), []);
    assertEquals((await cache.ls()).length, 5);

    const io = memoryIo({ env: { HOME: dir }, cwd: dir });
    assertEquals(await runCli(["cache", "rm", "s3://b/d/k.csv", "--cache-dir", cacheDir], io), 0);
    assert(io.stdout().includes(`cached from the endpoint ${new URL(s3.url).host}`), io.stdout());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
