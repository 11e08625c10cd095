/**
 * `env` in place of `Deno.env`: `AssetCache` and `resolveSettings` took a
 * function or an object of variables, but `S3Store` (also as `openStore`'s and
 * `AssetCache`'s `store.s3.env`) and `Repository` a function only, unchecked.
 * `new S3Store({ bucket, env: fakeS3.env })`, the natural use of
 * `startFakeS3().env`, was a bare `TypeError: env is not a function` (and in
 * a cache, only at its first download). Each now takes both, and anything
 * else is an `InvalidInputError` naming the option.
 */
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError, openStore } from "../mod.ts";
import { S3Store } from "../src/store/mod.ts";
import { Repository } from "../src/repo/mod.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { withTempDir } from "./versioned_helpers.ts";

const text = new TextEncoder();

/** Runs `fn` with a fake S3 whose bucket `assets` holds `a.csv` ("a,b\n"), and a temp dir; stops and removes both after. */
async function withAssetsAndDir(fn: (s3: FakeS3, dir: string) => Promise<void>): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await s3.putObject("assets", "a.csv", "a,b\n");
  await withTempDir((dir) => fn(s3, dir), "vc_env_option_");
}

Deno.test("S3Store and openStore take env as an object of variables (startFakeS3().env)", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await s3.putObject("assets", "a.csv", "a,b\n");
  {
    await using store = new S3Store({ bucket: "assets", env: s3.env });
    const got = await store.get("a.csv");
    assertEquals(await new Response(got.body).text(), "a,b\n");
    await store.put("b.csv", text.encode("c\n"));
  }
  {
    await using store = await openStore("s3://assets", { s3: { env: { ...s3.env } } });
    assertEquals((await store.head("b.csv"))?.size, 2);
  }
  assertEquals(s3.listKeys("assets"), ["a.csv", "b.csv"]);
});

Deno.test("AssetCache's store.s3.env may be an object of variables", async () => {
  await withAssetsAndDir(async (s3, dir) => {
    await using assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      store: { s3: { env: s3.env, endpoint: s3.url } },
    });
    assertEquals(await Deno.readTextFile(await assets.cache("s3://assets/a.csv")), "a,b\n");
  });
});

Deno.test("AssetCache: store.s3.env is what the store reads, not replaced by the cache's env", async () => {
  // The cache's `env` (here: none of the AWS variables) replaced the store's
  // own, so the store had no credentials (`AccessDeniedError`), and entries
  // were filed under the endpoint of the cache's environment, not the store's.
  await withAssetsAndDir(async (s3, dir) => {
    await using assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: {},
      store: { s3: { env: s3.env } },
    });
    const path = await assets.cache("s3://assets/a.csv");
    assertEquals(await Deno.readTextFile(path), "a,b\n");
    // Filed under the store's endpoint: where a cache whose own env names it files it.
    await using same = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: s3.env });
    assertEquals(same.localPath("s3://assets/a.csv"), path);
  });
});

Deno.test("an env that is neither a function nor an object is refused, naming the option", async () => {
  assertThrows(
    () => new S3Store({ bucket: "assets", env: "production" as never }),
    InvalidInputError,
    'S3Store: the option env must be a function or an object of variables, got "production"',
  );
  assertThrows(
    () => new AssetCache({ configPath: false, env: {}, store: { s3: { env: 5 as never } } }),
    InvalidInputError,
    "AssetCache store.s3: the option env must be a function or an object of variables, got 5",
  );
  await assertRejects(
    () => openStore("s3://assets", { s3: { env: null as never } }),
    InvalidInputError,
    "the option env must be a function or an object of variables, got null",
  );
  const dir = await Deno.makeTempDir({ prefix: "vc_env_option_" });
  try {
    await assertRejects(
      () => Repository.init(`file://${dir}/repo`, { env: "PGPASSWORD=x" as never }),
      InvalidInputError,
      'Repository.init(): the option env must be a function or an object of variables, got "PGPASSWORD=x"',
    );
    // Refused before anything was written.
    assertEquals([...Deno.readDirSync(dir)], []);
    await (await Repository.init(`file://${dir}/repo`, { env: { PGUSER: "vc" } })).close();
    await (await Repository.open(`file://${dir}/repo`, { env: { PGUSER: "vc" } })).close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
