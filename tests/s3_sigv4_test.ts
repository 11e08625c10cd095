// SigV4 signing: the documented AWS S3 examples, and agreement with the AWS
// SDK's own signer for keys that are easy to get wrong.
import { assertEquals } from "./assert.ts";
import {
  canonicalQuery,
  EMPTY_SHA256,
  sha256Hex,
  SigV4Signer,
  UNSIGNED_PAYLOAD,
  uriEncode,
} from "../src/store/sigv4.ts";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";

const EXAMPLE = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const EXAMPLE_DATE = new Date("2013-05-24T00:00:00Z");

function signature(authorization: string | undefined): string {
  return /Signature=([0-9a-f]{64})$/.exec(authorization ?? "")?.[1] ?? "";
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
Deno.test("sigv4: AWS example GET object with Range", () => {
  const signer = new SigV4Signer({ region: "us-east-1" });
  const headers = signer.sign(
    {
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      headers: { Range: "bytes=0-9" },
      payloadHash: EMPTY_SHA256,
    },
    EXAMPLE,
    EXAMPLE_DATE,
  );
  assertEquals(
    headers.authorization,
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  );
  assertEquals(headers["x-amz-date"], "20130524T000000Z");
  assertEquals(headers["x-amz-content-sha256"], EMPTY_SHA256);
  assertEquals(headers.range, "bytes=0-9");
});

Deno.test("sigv4: AWS example PUT object with extra signed headers and an encoded key", () => {
  const signer = new SigV4Signer({ region: "us-east-1" });
  const payload = "Welcome to Amazon S3.";
  assertEquals(
    sha256Hex(payload),
    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
  );
  const headers = signer.sign(
    {
      method: "PUT",
      url: new URL(`https://examplebucket.s3.amazonaws.com/${uriEncode("test$file.text", true)}`),
      headers: {
        Date: "Fri, 24 May 2013 00:00:00 GMT",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
      },
      payloadHash: sha256Hex(payload),
    },
    EXAMPLE,
    EXAMPLE_DATE,
  );
  assertEquals(
    signature(headers.authorization),
    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
  );
  assertEquals(
    headers.authorization?.includes(
      "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,",
    ),
    true,
  );
});

Deno.test("sigv4: AWS examples GET ?lifecycle and list with query", () => {
  const signer = new SigV4Signer({ region: "us-east-1" });
  const lifecycle = signer.sign(
    {
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/?lifecycle"),
      payloadHash: EMPTY_SHA256,
    },
    EXAMPLE,
    EXAMPLE_DATE,
  );
  assertEquals(
    signature(lifecycle.authorization),
    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
  );
  const list = signer.sign(
    {
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"),
      payloadHash: EMPTY_SHA256,
    },
    EXAMPLE,
    EXAMPLE_DATE,
  );
  assertEquals(
    signature(list.authorization),
    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
  );
});

Deno.test("sigv4: session token is signed and sent; cached key gives the same result", () => {
  const signer = new SigV4Signer({ region: "eu-west-1" });
  const request = {
    method: "HEAD",
    url: new URL("http://127.0.0.1:9000/b/k"),
    payloadHash: UNSIGNED_PAYLOAD,
  };
  const creds = { ...EXAMPLE, sessionToken: "token/with+chars=" };
  const a = signer.sign(request, creds, EXAMPLE_DATE);
  const b = signer.sign(request, creds, EXAMPLE_DATE);
  assertEquals(a.authorization, b.authorization);
  assertEquals(a["x-amz-security-token"], "token/with+chars=");
  assertEquals(
    a.authorization?.includes(
      "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,",
    ),
    true,
  );
  // A rotated secret must not reuse the cached signing key.
  const c = signer.sign(request, { ...creds, secretAccessKey: "other" }, EXAMPLE_DATE);
  assertEquals(c.authorization === a.authorization, false);
});

Deno.test("sigv4: uriEncode follows S3 rules (no double encoding, / kept in paths)", () => {
  assertEquals(uriEncode("a b+c%d~e=f", true), "a%20b%2Bc%25d~e%3Df");
  assertEquals(uriEncode("dir/ü.txt", true), "dir/%C3%BC.txt");
  assertEquals(uriEncode("dir/x"), "dir%2Fx");
  assertEquals(uriEncode("!'()*"), "%21%27%28%29%2A");
  assertEquals(uriEncode("emoji 😀"), "emoji%20%F0%9F%98%80");
  assertEquals(uriEncode("AZaz09-._~"), "AZaz09-._~");
});

Deno.test("sigv4: canonicalQuery sorts and re-encodes", () => {
  assertEquals(canonicalQuery(""), "");
  assertEquals(canonicalQuery("?b=2&a=1&a=0"), "a=0&a=1&b=2");
  assertEquals(canonicalQuery("?prefix=a%20b%2Bc&delete"), "delete=&prefix=a%20b%2Bc");
});

// The SDK signs with its own encoder and signer; capture its request instead of
// sending it, then sign the same request ourselves and compare.
class Captured extends Error {}

interface CapturedRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

async function captureSdkRequest(
  send: (client: S3Client) => Promise<unknown>,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<CapturedRequest> {
  let captured: CapturedRequest | undefined;
  const client = new S3Client({
    region: "eu-central-1",
    endpoint: "http://127.0.0.1:9",
    forcePathStyle: true,
    maxAttempts: 1,
    credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      handle: (request: CapturedRequest) => {
        captured = request;
        return Promise.reject(new Captured("captured"));
      },
    } as unknown as S3Client["config"]["requestHandler"],
  });
  try {
    await send(client);
  } catch (e) {
    if (!(e instanceof Captured)) throw e;
  } finally {
    client.destroy();
  }
  if (captured === undefined) throw new Error("the SDK sent no request");
  return captured;
}

function signLikeSdk(
  request: CapturedRequest,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): string {
  const auth = request.headers["authorization"] ?? "";
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";") ?? [];
  const headers: Record<string, string> = {};
  for (const name of signed) {
    if (
      ["host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"].includes(name)
    ) continue;
    headers[name] = request.headers[name] ?? "";
  }
  const query = Object.entries(request.query).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v ?? ""]).map((x) => `${uriEncode(k)}=${uriEncode(x)}`)
  ).join("&");
  const url = new URL(
    `${request.protocol}//${request.hostname}:${request.port}${request.path}${
      query ? `?${query}` : ""
    }`,
  );
  const amzDate = request.headers["x-amz-date"]!;
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${
      amzDate.slice(11, 13)
    }:${amzDate.slice(13, 15)}Z`,
  );
  const ours = new SigV4Signer({ region: "eu-central-1" }).sign(
    {
      method: request.method,
      url,
      headers,
      payloadHash: request.headers["x-amz-content-sha256"]!,
    },
    credentials,
    date,
  );
  return ours.authorization!;
}

const TRICKY_KEYS = [
  "plain.txt",
  "dir/with space.csv",
  "unicode/ünïcødé/日本語.bin",
  "plus+sign",
  "percent%41literal",
  "tilde~and=equals&amp",
  "parens (1)!*'",
  "emoji/😀.png",
  "trailing/",
  "a//double/slash",
];

Deno.test("sigv4: matches the AWS SDK signer for GetObject of tricky keys", async () => {
  const credentials = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "secret/key+x",
    sessionToken: "tok",
  };
  for (const key of TRICKY_KEYS) {
    const req = await captureSdkRequest(
      (c) =>
        c.send(
          new GetObjectCommand({ Bucket: "bkt", Key: key, Range: "bytes=5-", IfNoneMatch: '"e"' }),
        ),
      credentials,
    );
    assertEquals(req.path, `/bkt/${uriEncode(key, true)}`, `path of ${key}`);
    assertEquals(
      signLikeSdk(req, credentials),
      req.headers["authorization"],
      `signature of ${key}`,
    );
  }
});

Deno.test("sigv4: matches the AWS SDK signer for PutObject and ListObjectsV2 queries", async () => {
  const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s3cr3t" };
  const put = await captureSdkRequest(
    (c) =>
      c.send(
        new PutObjectCommand({
          Bucket: "bkt",
          Key: "x y/z+1.txt",
          Body: "hello",
          Metadata: { "vc-md5": "abc" },
          ContentType: "text/plain",
        }),
      ),
    credentials,
  );
  assertEquals(signLikeSdk(put, credentials), put.headers["authorization"]);
  const list = await captureSdkRequest(
    (c) =>
      c.send(
        new ListObjectsV2Command({
          Bucket: "bkt",
          Prefix: "a b+c/ü",
          StartAfter: "a b+c/ü/x=y&z",
          MaxKeys: 1000,
          EncodingType: "url",
        }),
      ),
    credentials,
  );
  assertEquals(signLikeSdk(list, credentials), list.headers["authorization"]);
});

Deno.test("sigv4: the signing SHA-256 and HMAC agree with node:crypto on every length around the blocks", async () => {
  const { createHash, createHmac } = await import("node:crypto");
  const { hmacKey, hmacSha256, sha256, sha256HexOfString, toHex } = await import(
    "../src/sha256_js.ts"
  );
  let seed = 12345;
  const bytes = (n: number) =>
    Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  for (let n = 0; n <= 300; n++) {
    const data = bytes(n);
    assertEquals(
      toHex(sha256(data)),
      createHash("sha256").update(data).digest("hex"),
      `${n} bytes`,
    );
    // Split in two parts: the same digest.
    const cut = n >> 1;
    assertEquals(toHex(sha256(data.subarray(0, cut), data.subarray(cut))), toHex(sha256(data)));
    for (const keyLength of [0, 16, 32, 64, 65, 100]) {
      const key = bytes(keyLength);
      assertEquals(
        toHex(hmacSha256(hmacKey(key), data)),
        createHmac("sha256", key).update(data).digest("hex"),
        `HMAC, ${keyLength}-byte key, ${n} bytes`,
      );
    }
  }
  for (const text of ["", "a", "é/ü", "😀".repeat(40), "x".repeat(1000)]) {
    assertEquals(sha256HexOfString(text), createHash("sha256").update(text).digest("hex"));
  }
  assertEquals(toHex(sha256(bytes(100_000))).length, 64);
  const big = bytes(100_000);
  assertEquals(toHex(sha256(big)), createHash("sha256").update(big).digest("hex"));
});
