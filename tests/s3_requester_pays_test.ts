/**
 * Requester-pays buckets (public data sets billed to the reader): S3 refuses
 * every request to one 403 AccessDenied unless it says
 * `x-amz-request-payer: requester`, as the aws CLI's `--request-payer
 * requester` does. vc had no way to say it, so such a bucket could not be
 * read at all, and the refusal blamed the credentials only. Now
 * `VC_S3_REQUEST_PAYER=1` (or the `requestPayer` option) sends it, signed,
 * on the lean path and through the AWS SDK's client alike, and a refused
 * read names the setting.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { S3Store } from "../src/store/s3.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { AccessDeniedError, InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";

async function payingFake() {
  const s3 = await startFakeS3({ buckets: ["paid-data"], requesterPaysBuckets: ["paid-data"] });
  await s3.putObject("paid-data", "tiles/a b+c.bin", "tile\n");
  await s3.putObject("paid-data", "tiles/empty", "");
  return s3;
}

async function text(store: ObjectStore, key: string): Promise<string> {
  return await new Response((await store.get(key)).body).text();
}

function storeEnv(s3: { env: Readonly<Record<string, string>> }, extra: Record<string, string>) {
  const env: Record<string, string> = { ...s3.env, ...extra };
  return (name: string) => env[name];
}

Deno.test("requester pays: without the setting a read is refused, naming VC_S3_REQUEST_PAYER", async () => {
  await using s3 = await payingFake();
  await using store = new S3Store({ bucket: "paid-data", env: storeEnv(s3, {}) });
  const e = await assertRejects(() => store.get("tiles/a b+c.bin"), AccessDeniedError);
  await assertRejects(() => store.head("tiles/a b+c.bin"), AccessDeniedError);
  assertStringIncludes(e.message, "VC_S3_REQUEST_PAYER=1");
});

Deno.test("requester pays: VC_S3_REQUEST_PAYER=1 reads, lists, writes and copies (lean path and SDK)", async () => {
  await using s3 = await payingFake();
  await using store = new S3Store({
    bucket: "paid-data",
    env: storeEnv(s3, { VC_S3_REQUEST_PAYER: "1" }),
  });
  assertEquals(await text(store, "tiles/a b+c.bin"), "tile\n");
  assertEquals((await store.head("tiles/empty"))?.size, 0);
  const keys: string[] = [];
  for await (const o of store.list("tiles/")) keys.push(o.key);
  assertEquals(keys, ["tiles/a b+c.bin", "tiles/empty"]);
  await store.put("tiles/new", new TextEncoder().encode("new\n"));
  // A copy goes through the AWS SDK's client.
  await store.copy("tiles/new", "tiles/copied");
  assertEquals(await text(store, "tiles/copied"), "new\n");
});

Deno.test("requester pays: the option, and the asset cache through the environment", async () => {
  await using s3 = await payingFake();
  await using store = new S3Store({
    bucket: "paid-data",
    requestPayer: true,
    env: storeEnv(s3, {}),
  });
  assertEquals((await store.head("tiles/a b+c.bin"))?.size, 5);
  const dir = await Deno.makeTempDir({ prefix: "vc-requester-pays-" });
  try {
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: { ...s3.env, VC_S3_REQUEST_PAYER: "1" },
      warn: () => {},
    });
    const path = await cache.cache("s3://paid-data/tiles/a b+c.bin");
    assertEquals(await Deno.readTextFile(path), "tile\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("requester pays: a value that is no switch is refused, naming the variable", () => {
  assertThrows(
    () => new S3Store({ bucket: "b", env: (n) => ({ VC_S3_REQUEST_PAYER: "maybe" })[n] }),
    InvalidInputError,
    "VC_S3_REQUEST_PAYER",
  );
});

Deno.test("requester pays: a refused listing names the setting, a refused write does not", async () => {
  await using s3 = await payingFake();
  await using store = new S3Store({ bucket: "paid-data", env: storeEnv(s3, {}) });
  const listed = await assertRejects(async () => {
    for await (const _ of store.list("tiles/")) { /* refused before the first */ }
  }, AccessDeniedError);
  assertStringIncludes(listed.message, "VC_S3_REQUEST_PAYER=1");
  const put = await assertRejects(
    () => store.put("tiles/x", new TextEncoder().encode("x")),
    AccessDeniedError,
  );
  assertEquals(put.message.includes("VC_S3_REQUEST_PAYER"), false, put.message);
});
