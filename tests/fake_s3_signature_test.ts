/**
 * The fake S3 checks AWS SigV4 signatures as S3 does, so a signing mistake
 * for an unusual key (spaces, `+`, `%`, `=`, `~`, non-ASCII, a long key),
 * query value (a prefix, a continuation token), header (a range, metadata
 * with runs of spaces, a session token) or a presigned URL is refused there
 * as S3 would refuse it, not passed by every test:
 *
 * - a wrong signature is answered 403 `SignatureDoesNotMatch` with S3's XML
 *   (the canonical request and string to sign the server computed);
 * - the verifier agrees with an independent signer, the aws CLI, for hostile
 *   keys, listings and presigned URLs (ignored without the aws CLI);
 * - vc's store signs every request of a round trip over hostile keys (its
 *   own signer and the SDK's multipart upload) the way the fake checks it;
 * - unsigned requests, other access keys and `credentials: false` are not
 *   checked.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { awsCliInstalled } from "./aws_cli.ts";
import { S3Store } from "../src/store/s3.ts";
import { type RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";

/** Keys a user writes that a signer must encode exactly as S3 does. */
const HOSTILE_KEYS = [
  "a b.txt",
  "a+b=c&d.txt",
  "100%.csv",
  "x~y(1)!*'.bin",
  "café/naïve ü.txt",
  "cafe\u0301",
  "emoji 😀",
  "semi;colon:at@,dollar$",
  "q?x=1#frag",
  "dir//double",
  `long/${"L".repeat(900)}`,
];

const utf8 = new TextEncoder();

function storeOf(endpoint: string, options: Record<string, unknown> = {}): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    ...options,
  });
}

Deno.test("fake S3: a request signed with the wrong secret is refused 403 SignatureDoesNotMatch, as S3 refuses it", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "a b.txt", "hello");
  const store = storeOf(s3.url, { credentials: { accessKeyId: "test", secretAccessKey: "wrong" } });
  try {
    await assertRejects(
      () => store.get("a b.txt"),
      AccessDeniedError,
      "SignatureDoesNotMatch",
    );
  } finally {
    await store.close();
  }
  // S3's XML names what the server signed: the canonical request (the key
  // encoded once, `%20`) and the string to sign.
  const res = await fetch(`${s3.url}/b/a%20b.txt?x-id=GetObject`, {
    headers: {
      "x-amz-date": "20260101T000000Z",
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123",
    },
  });
  const xml = await res.text();
  assertEquals(res.status, 403);
  assertMatch(xml, /<Code>SignatureDoesNotMatch<\/Code>/);
  assertMatch(xml, /<AWSAccessKeyId>test<\/AWSAccessKeyId>/);
  assertMatch(xml, /<SignatureProvided>0123<\/SignatureProvided>/);
  assertMatch(
    xml,
    /<CanonicalRequest>GET\n\/b\/a%20b\.txt\nx-id=GetObject\nhost:127\.0\.0\.1:\d+\n/,
  );
  assertMatch(xml, /<StringToSign>AWS4-HMAC-SHA256\n20260101T000000Z\n20260101\/us-east-1\/s3\//);
});

Deno.test("fake S3: unsigned requests, other access keys and credentials: false are not checked", async () => {
  {
    await using s3 = await startFakeS3({ buckets: ["b"], publicBuckets: ["b"] });
    await s3.putObject("b", "k", "hello");
    // Anonymous reads of a public bucket still work.
    assertEquals(await (await fetch(`${s3.url}/b/k`)).text(), "hello");
    // A key the fake was not given is not checked (tests tell processes apart by it).
    const other = storeOf(s3.url, { credentials: { accessKeyId: "proc7", secretAccessKey: "x" } });
    try {
      assertEquals((await other.head("k"))?.size, 5);
    } finally {
      await other.close();
    }
  }
  {
    await using s3 = await startFakeS3({ buckets: ["b"], credentials: false });
    const wrong = storeOf(s3.url, { credentials: { accessKeyId: "test", secretAccessKey: "no" } });
    try {
      await wrong.put("k", utf8.encode("x"));
    } finally {
      await wrong.close();
    }
    assertEquals(s3.listKeys("b"), ["k"]);
  }
  {
    // Given credentials are checked, and env hands out the first pair.
    await using s3 = await startFakeS3({ buckets: ["b"], credentials: { AKID1: "s/e+c=" } });
    assertEquals(s3.env.AWS_ACCESS_KEY_ID, "AKID1");
    assertEquals(s3.env.AWS_SECRET_ACCESS_KEY, "s/e+c=");
    const wrong = storeOf(s3.url, { credentials: { accessKeyId: "AKID1", secretAccessKey: "no" } });
    try {
      await assertRejects(() => wrong.put("k", utf8.encode("x")), AccessDeniedError);
    } finally {
      await wrong.close();
    }
  }
});

Deno.test("vc's store signs a round trip over hostile keys as S3 checks it (its own signer and the SDK's)", async () => {
  const refused: RequestLogEntry[] = [];
  await using s3 = await startFakeS3({
    buckets: ["b"],
    minPartSize: 1024,
    credentials: { AKIDTEST: "se/cr+et=" },
    onRequest: (e) => void (e.status === 403 && refused.push(e)),
  });
  // Enough objects for listings of several pages, whose continuation tokens hold `+/=`.
  for (let i = 0; i < 1005; i++) await s3.putObject("b", `many ü+/${i}~ÿ>?`, "x");
  for (
    const options of [
      {},
      // A session token and another region are signed too; path-style off.
      {
        region: "eu-west-3",
        forcePathStyle: false,
        endpoint: s3.url.replace("127.0.0.1", "localhost"),
      },
    ]
  ) {
    const store = storeOf(s3.url, {
      credentials: {
        accessKeyId: "AKIDTEST",
        secretAccessKey: "se/cr+et=",
        sessionToken: "to/k+en==",
      },
      multipartThreshold: 2048,
      partSize: 1024,
      ...options,
    });
    try {
      for (const key of HOSTILE_KEYS) {
        await store.put(key, utf8.encode("hello world"), {
          metadata: { note: "two  spaces =+ and/slash" },
          contentType: "text/plain; charset=utf-8",
        });
        const part = await store.get(key, { range: { start: 1, end: 3 } });
        assertEquals(await new Response(part.body).text(), "ell", key);
        assertEquals((await store.head(key))?.metadata?.note, "two  spaces =+ and/slash", key);
        const listed = [];
        for await (const o of store.list(key, { startAfter: key.slice(0, 1) })) listed.push(o.key);
        assert(listed.includes(key), `${key} listed: ${listed.join(", ")}`);
        await store.copy(key, `${key} copy+`);
        // Above the threshold: a multipart upload (the SDK creates and completes it, vc sends the parts).
        await store.put(`${key}.mp`, new Uint8Array(3000).fill(7));
        await store.delete([key, `${key} copy+`, `${key}.mp`]);
      }
      let count = 0;
      for await (const _ of store.list("many ü+/")) count++;
      assertEquals(count, 1005);
    } finally {
      await store.close();
    }
  }
  assertEquals(refused.map((e) => `${e.method} ${e.path}`), []);
  assertEquals(s3.stats.CompleteMultipartUpload, 2 * HOSTILE_KEYS.length);
  assert(s3.stats.ListObjectsV2 > 2 * HOSTILE_KEYS.length + 2, "listings of several pages");
});

Deno.test({
  name:
    "fake S3: the verifier agrees with the aws CLI's signatures for hostile keys, listings and presigned URLs",
  ignore: !(await awsCliInstalled()), // the independent signer checked against is the aws CLI
  fn: async () => {
    await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1024 });
    const dir = await Deno.makeTempDir({ prefix: "vc-fake-s3-sigv4-" });
    try {
      // presign signs with SigV2 unless told s3v4.
      const config = join(dir, "config");
      await Deno.writeTextFile(config, "[default]\ns3 =\n  signature_version = s3v4\n");
      const aws = async (args: string[], secret = s3.env.AWS_SECRET_ACCESS_KEY!) => {
        const out = await new Deno.Command("aws", {
          args: ["--endpoint-url", s3.url, ...args],
          env: {
            ...s3.env,
            AWS_SECRET_ACCESS_KEY: secret,
            AWS_CONFIG_FILE: config,
            AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
            AWS_EC2_METADATA_DISABLED: "true",
          },
          clearEnv: false,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = (b: Uint8Array) => new TextDecoder().decode(b);
        return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
      };
      // File names are the keys (`/` makes folders): one process uploads them all.
      const src = join(dir, "src");
      const names = HOSTILE_KEYS.filter((k) => !k.includes("//") && !k.startsWith("long/"));
      for (const name of names) {
        await Deno.mkdir(join(src, name, ".."), { recursive: true });
        await Deno.writeTextFile(join(src, name), `body of ${name}`);
      }
      const up = await aws(["s3", "cp", "--recursive", src, "s3://b/up load+=/"]);
      assertEquals(up.code, 0, up.stderr);
      assertEquals(s3.listKeys("b", "up load+=/").length, names.length);
      const down = await aws(["s3", "cp", "--recursive", "s3://b/up load+=/", join(dir, "down")]);
      assertEquals(down.code, 0, down.stderr);
      for (const name of names) {
        assertEquals(await Deno.readTextFile(join(dir, "down", name)), `body of ${name}`, name);
      }
      // A long key, a range, a listing with a prefix and start-after, a page of one.
      const long = `up load+=/${HOSTILE_KEYS.at(-1)!}`;
      const put = await aws([
        "s3api",
        "put-object",
        "--bucket",
        "b",
        "--key",
        long,
        "--body",
        config,
      ]);
      assertEquals(put.code, 0, put.stderr);
      const ranged = await aws([
        "s3api",
        "get-object",
        "--bucket",
        "b",
        "--key",
        long,
        "--range",
        "bytes=0-8",
        join(dir, "ranged"),
      ]);
      assertEquals(ranged.code, 0, ranged.stderr);
      assertEquals(await Deno.readTextFile(join(dir, "ranged")), "[default]");
      const listed = await aws([
        "s3api",
        "list-objects-v2",
        "--bucket",
        "b",
        "--prefix",
        "up load+=/",
        "--start-after",
        "up load+=/a+b",
        "--page-size",
        "1",
      ]);
      assertEquals(listed.code, 0, listed.stderr);
      // A presigned URL, and one signed with the wrong secret.
      const key = "up load+=/a+b=c&d.txt";
      const good = await aws(["s3", "presign", `s3://b/${key}`]);
      assertEquals(good.code, 0, good.stderr);
      assertMatch(good.stdout, /X-Amz-Signature=/);
      assertEquals(await (await fetch(good.stdout.trim())).text(), `body of a+b=c&d.txt`);
      const forged = await aws(["s3", "presign", `s3://b/${key}`], "wrong");
      const refused = await fetch(forged.stdout.trim());
      assertEquals(refused.status, 403);
      assertMatch(await refused.text(), /SignatureDoesNotMatch/);
      // And a wrong secret in an Authorization header.
      const bad = await aws(["s3api", "head-object", "--bucket", "b", "--key", key], "wrong");
      assertEquals(bad.code !== 0, true);
      assertMatch(bad.stderr, /403/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
