/**
 * A bucket in another region than the one configured (AWS_REGION unset or
 * us-east-1, the bucket in eu-west-1): S3 answers 301 PermanentRedirect with
 * the bucket's region in `x-amz-bucket-region` (a HEAD: the bare 301), or 400
 * AuthorizationHeaderMalformed naming it in `<Region>`. The aws CLI and
 * botocore follow it; vc stopped with "set AWS_REGION=…". Now vc signs the
 * request for the bucket's region and sends it once more (AWS: to the
 * regional host; a custom endpoint: the same URL), on its own requests and
 * the AWS SDK's alike, and remembers the region for the bucket for the rest
 * of the process. A server that names a region that does not help is not
 * followed twice: the "set AWS_REGION" error stands.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import type { RequestLogEntry } from "../src/testing/mod.ts";
import type { S3Store } from "../src/store/s3.ts";
import { bucketBaseUrl } from "../src/store/s3_config.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { StoreError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, testS3Store } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

/** A fake S3 whose bucket `eu-data` is in eu-west-1, and the log of its answers. */
async function euFake() {
  const log: RequestLogEntry[] = [];
  const fake = await startFakeS3({
    buckets: ["eu-data"],
    bucketRegions: { "eu-data": "eu-west-1" },
    onRequest: (entry) => log.push(entry),
  });
  await fake.putObject("eu-data", "dir/a.txt", "hello\n");
  const redirects = () => log.filter((e) => e.status === 301).length;
  return { fake, log, redirects };
}

async function text(store: S3Store, key: string): Promise<string> {
  return await new Response((await store.get(key)).body).text();
}

Deno.test("region redirect: GET, HEAD, list, put, multipart, copy and delete follow it, once per bucket", async () => {
  const { fake, redirects } = await euFake();
  await using _ = fake;
  await using store = testS3Store(fake, "eu-data", {
    multipartThreshold: MiB,
    partSize: 5 * MiB,
    multipartCopyThreshold: MiB,
    copyPartSize: 5 * MiB,
  });
  assertEquals(await text(store, "dir/a.txt"), "hello\n");
  assertEquals(redirects(), 1);
  assertEquals((await store.head("dir/a.txt"))?.size, 6);
  const keys: string[] = [];
  for await (const o of store.list("dir/")) keys.push(o.key);
  assertEquals(keys, ["dir/a.txt"]);
  await store.put("dir/b.txt", new TextEncoder().encode("b\n"));
  const big = new Uint8Array(5 * MiB + 10).fill(7);
  await store.put("dir/big.bin", big); // CreateMultipartUpload and Complete through the SDK
  await store.copy("dir/a.txt", "dir/c.txt"); // CopyObject through the SDK
  await store.copy("dir/big.bin", "dir/big-copy.bin"); // UploadPartCopy
  await store.delete(["dir/b.txt", "dir/c.txt"]); // DeleteObjects through the SDK
  assertEquals((await fake.getObject("eu-data", "dir/big-copy.bin"))?.length, big.length);
  assertEquals(await fake.getObject("eu-data", "dir/b.txt"), undefined);
  // Learned once: every later request, the SDK's too, is signed for eu-west-1.
  assertEquals(redirects(), 1);
  // And remembered for the process: another store of the bucket starts there.
  await using again = testS3Store(fake, "eu-data");
  assertEquals((await again.head("dir/a.txt"))?.size, 6);
  assertEquals(redirects(), 1);
});

Deno.test("region redirect: a HEAD's bare 301 is followed", async () => {
  const { fake, log, redirects } = await euFake();
  await using _ = fake;
  await using store = testS3Store(fake, "eu-data");
  assertEquals((await store.head("dir/a.txt"))?.size, 6);
  assertEquals(redirects(), 1);
  assertEquals(log.find((e) => e.status === 301)?.op, "HeadObject");
});

Deno.test("region redirect: an SDK call first is followed", async () => {
  const { fake, log, redirects } = await euFake();
  await using _ = fake;
  await using store = testS3Store(fake, "eu-data");
  await store.delete(["dir/a.txt", "dir/none"]); // DeleteObjects, through the SDK
  assertEquals(redirects(), 1);
  assertEquals(log.find((e) => e.status === 301)?.op, "DeleteObjects");
  assertEquals(await fake.getObject("eu-data", "dir/a.txt"), undefined);
  // The lean path took the region the SDK's call learned.
  assertEquals(await store.head("dir/a.txt"), undefined);
  assertEquals(redirects(), 1);
});

Deno.test("region redirect: the asset cache reads a bucket in another region with only credentials set", async () => {
  const { fake } = await euFake();
  await using _ = fake;
  const dir = await Deno.makeTempDir({ prefix: "vc-region-redirect-" });
  try {
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: { ...fake.env, AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1" },
      warn: () => {},
    });
    const path = await cache.cache("s3://eu-data/dir/a.txt");
    assertEquals(await Deno.readTextFile(path), "hello\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The region a request was signed for. */
function signedRegion(req: Request): string | undefined {
  return /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.get("authorization") ?? "")?.[1];
}

Deno.test("region redirect: 400 AuthorizationHeaderMalformed naming the region in <Region> is followed", async () => {
  const seen: (string | undefined)[] = [];
  await using server = answeringS3((req) => {
    const region = signedRegion(req);
    seen.push(region);
    if (region === "ap-southeast-2") return new Response("hi", { status: 200 });
    return new Response(
      "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region " +
        `'${region}' is wrong; expecting 'ap-southeast-2'</Message>` +
        "<Region>ap-southeast-2</Region><RequestId>R</RequestId></Error>",
      { status: 400, headers: { "content-type": "application/xml" } },
    );
  });
  await using store = testS3Store(server, "b", { maxAttempts: 1 });
  assertEquals(await text(store, "k"), "hi");
  assertEquals(seen, ["us-east-1", "ap-southeast-2"]);
});

Deno.test("region redirect: a region that does not help is followed once, then the set-AWS_REGION error", async () => {
  let requests = 0;
  // Every answer names eu-west-9, whatever the request was signed for.
  await using server = answeringS3((req) => {
    requests++;
    const headers = { "x-amz-bucket-region": "eu-west-9", "content-type": "application/xml" };
    if (req.method === "HEAD") return new Response(null, { status: 301, headers });
    return new Response(
      "<Error><Code>PermanentRedirect</Code><Message>must be addressed using the specified " +
        "endpoint</Message><Endpoint>b.s3.eu-west-9.amazonaws.com</Endpoint>" +
        "<Region>eu-west-9</Region></Error>",
      { status: 301, headers },
    );
  });
  await using store = testS3Store(server, "b", { maxAttempts: 3 });
  for (
    const [op, run] of [
      ["GET", () => store.get("k")],
      ["HEAD", () => store.head("k")],
      ["COPY", () => store.copy("k", "k2")],
      ["DeleteObjects (the SDK)", () => store.delete(["k", "k2"])],
    ] as const
  ) {
    requests = 0;
    const error = await assertRejects(run, StoreError);
    assertStringIncludes(error.message, "bucket b is in region eu-west-9", op);
    assertStringIncludes(error.message, "set AWS_REGION=eu-west-9", op);
    assertEquals(requests, 2, op);
  }
});

Deno.test("region redirect: a header that is no region name is not followed", async () => {
  let requests = 0;
  await using server = answeringS3(() => {
    requests++;
    return new Response(null, {
      status: 301,
      headers: { "x-amz-bucket-region": "evil.example/x" },
    });
  });
  await using store = testS3Store(server, "b", { maxAttempts: 1 });
  await assertRejects(() => store.head("k"), StoreError);
  assertEquals(requests, 1);
});

Deno.test("region redirect: the regional URL a redirect on AWS goes to", () => {
  const aws = { endpoint: undefined, forcePathStyle: false };
  assertEquals(
    bucketBaseUrl(aws, "eu-data", "eu-west-1"),
    "https://eu-data.s3.eu-west-1.amazonaws.com",
  );
  assertEquals(
    bucketBaseUrl(aws, "cn-data", "cn-north-1"),
    "https://cn-data.s3.cn-north-1.amazonaws.com.cn",
  );
  // A dotted name cannot be a virtual host under https: path style.
  assertEquals(bucketBaseUrl(aws, "a.b", "ap-south-1"), "https://s3.ap-south-1.amazonaws.com/a.b");
  assertEquals(
    bucketBaseUrl({ ...aws, useFipsEndpoint: true, useDualstackEndpoint: true }, "d", "us-west-2"),
    "https://s3-fips.dualstack.us-west-2.amazonaws.com/d",
  );
  assertEquals(
    bucketBaseUrl({ ...aws, forcePathStyle: true }, "eu-data", "eu-central-1"),
    "https://s3.eu-central-1.amazonaws.com/eu-data",
  );
  // A custom endpoint keeps its URL: only the signature's region changes.
  assertEquals(
    bucketBaseUrl({ endpoint: "http://127.0.0.1:9000", forcePathStyle: true }, "b", "eu-west-1"),
    "http://127.0.0.1:9000/b",
  );
});
