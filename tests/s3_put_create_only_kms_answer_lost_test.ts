/**
 * A create-only PUT (`If-None-Match: *`) into a bucket that encrypts with
 * SSE-KMS, whose first answer is lost after the server stored the object
 * (a connection dropped): the retry is answered 412, and vc took that for
 * another writer's object ("already exists") because it recognised its own
 * write only by an ETag equal to the body's MD5, which an SSE-KMS object's
 * ETag never is. `vc add` into such a bucket then failed on any dropped
 * connection. Now a 412 after a retry is decided by the stored object
 * itself: its size, and then its bytes read back (a single PUT's body is
 * at most the multipart threshold), compared with the body sent; another
 * writer's object of the same size still fails as taken.
 */
import { join } from "node:path";
import { assertEquals, assertNotEquals, assertRejects } from "./assert.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";
import { tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

const utf8 = new TextEncoder();

/**
 * The fake S3 behind a proxy that makes every PUT an SSE-KMS one (a bucket's
 * default encryption); `before` may answer a PUT itself.
 */
function kmsBucket(before?: (req: Request) => Promise<Response | undefined>) {
  return startS3Proxy(async (req, forward) => {
    if (req.method !== "PUT") return await forward();
    return await before?.(req) ??
      await forward(undefined, { "x-amz-server-side-encryption": "aws:kms" });
  }, { store: { maxAttempts: 3 } });
}

const isPut = (r: { op: string }) => r.op === "PutObject";

Deno.test("create-only PUT under SSE-KMS: a lost answer retried into 412 is our own write", async () => {
  await using proxied = await kmsBucket();
  const body = utf8.encode("encrypted at rest by the bucket's default\n");
  proxied.fake.failNext(1, "lostResponse", isPut);
  const { etag } = await proxied.store.put("k.txt", body, { ifNoneMatch: "*" });
  const stored = await proxied.direct.head("k.txt");
  assertEquals(stored?.opaqueEtag, true);
  assertNotEquals(stored?.etag, md5Hex(body));
  assertEquals(etag, stored?.etag);
  assertEquals(
    await new Response((await proxied.direct.get("k.txt")).body).text(),
    "encrypted at rest by the bucket's default\n",
  );
});

Deno.test("create-only PUT under SSE-KMS: another writer's object of the same size is still taken", async () => {
  const ours = utf8.encode("ours, 19 bytes long");
  const theirs = utf8.encode("theirs, 19 bytes!!!");
  assertEquals(ours.length, theirs.length);
  // The first attempt is not stored (answered 500), and another writer's
  // object of the same size lands meanwhile: the retry's 412 is theirs.
  let first = true;
  await using proxied = await kmsBucket(async (req) => {
    if (!first) return undefined;
    first = false;
    await req.body?.cancel();
    await proxied.fake.putObject("b", "k.txt", theirs, { serverSideEncryption: "aws:kms" });
    return new Response(errorXml("InternalError", "try again"), { status: 500 });
  });
  await assertRejects(
    () => proxied.store.put("k.txt", ours, { ifNoneMatch: "*" }),
    PreconditionFailedError,
  );
  assertEquals(await proxied.fake.getObject("b", "k.txt"), theirs);
});

for (const lost of [false, true]) {
  Deno.test(
    `vc add into an SSE-KMS bucket${
      lost ? " whose PUT answer is lost" : ""
    }: published once, pinned`,
    async () => {
      await using proxied = await kmsBucket();
      await using dir = await tempDir();
      const store = testS3Options({ url: proxied.endpoint }, { maxAttempts: 3 });
      await using cache = new AssetCache({
        cacheDir: join(dir.path, "cache"),
        configPath: false,
        env: {},
        store,
      });
      const manifest = join(dir.path, "versioned_assets.json");
      await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache, store });
      const file = await writeFile(dir.path, "t.csv", "a,b\n1,2\n");
      if (lost) proxied.fake.failNext(1, "lostResponse", isPut);
      await vc.add("/t.csv", file);
      assertEquals(JSON.parse(await Deno.readTextFile(manifest)), { "/t.csv": "1.0.0" });
      assertEquals(proxied.fake.listKeys("b"), ["t.1.0.0.csv"]);
      assertEquals(
        proxied.fake.headObject("b", "t.1.0.0.csv")?.etag === md5Hex("a,b\n1,2\n"),
        false,
      );
      assertEquals(await Deno.readTextFile(await vc.path("/t.csv")), "a,b\n1,2\n");
    },
  );
}

Deno.test("vc repo add into an SSE-KMS bucket: recorded, its content read back", async () => {
  await using proxied = await kmsBucket();
  await using dir = await tempDir();
  const store = testS3Options({ url: proxied.endpoint }, { maxAttempts: 3 });
  await using repo = await Repository.init("s3://b/repo", {
    catalog: `sqlite:${join(dir.path, "c.sqlite")}`,
    openStore: (u: string) => openStore(u, store),
  });
  const file = await writeFile(dir.path, "a.csv", "a,b\n1,2\n");
  proxied.fake.failNext(1, "lostResponse", isPut);
  await repo.add("/raw/a.csv", file);
  assertEquals((await repo.list()).map((r) => r.path), ["/raw/a.csv"]);
});
