/**
 * A caller's `openStore` that returns an S3 store of another bucket (or
 * prefix) than the root it was asked for is refused naming both: the
 * README's `openStore: () => Promise.resolve(store)`, with a cache of an
 * `s3://` URI of another bucket, filed that bucket's object under the URI
 * asked for, a copy of other bytes served as it. A stand-in of another kind
 * (a `MemoryStore` or a directory for an `s3://` root, as tests use) is
 * still taken.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("AssetCache: an openStore returning another bucket's S3 store is refused naming both", () =>
  withTempDir(async (dir) => {
    await using s3 = await startFakeS3({ buckets: ["assets", "other"] });
    await s3.putObject("assets", "prices/2024.csv", "assets' bytes");
    await using store = new S3Store({
      bucket: "assets",
      endpoint: s3.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await using cache = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(store),
    });
    assertEquals(
      await Deno.readTextFile(await cache.cache("s3://assets/prices/2024.csv")),
      "assets' bytes",
    );
    await assertRejects(
      () => cache.cache("s3://other/prices/2024.csv"),
      InvalidInputError,
      "AssetCache: the store the option openStore returned for s3://other is s3://assets, " +
        "another bucket or prefix",
    );
    assertEquals(await cache.ls().then((l) => l.map((e) => e.uri)), [
      "s3://assets/prices/2024.csv",
    ]);
    // A stand-in of another kind is the caller's choice.
    await using memory = new MemoryStore();
    await memory.put("k.txt", new TextEncoder().encode("m"));
    await using standIn = new AssetCache({
      cacheDir: `${dir}/cache2`,
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(memory),
    });
    assertEquals(await Deno.readTextFile(await standIn.cache("s3://any/k.txt")), "m");
  }));
