/**
 * A store or proxy that answers a GET with 200 OK and an S3 `<Error>`
 * document in the body (a gateway whose backend failed, a broken
 * S3-compatible server) handed the asset cache that document as the
 * object. With an ETag that names no MD5 (SSE-KMS, an opaque ETag as
 * Backblaze, Ceph or Oracle's store give) only the size checks the bytes,
 * and the size was the document's own: the error was cached and served as
 * the file, at every call until the TTL. With an MD5 ETag the download
 * failed, but said that what came twice "is what the store holds" and that
 * the object in the store is damaged. Now the answer is the error it says
 * (`the server answered 200 OK with an <Error> in the body: InternalError`),
 * retried as one, and nothing is cached; an object whose content is such a
 * document, vouched for by its MD5 ETag, is still the object.
 */
import { md5Hex } from "../src/hash.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint, testS3Options } from "./versioned_helpers.ts";

const URI = "s3://b/data/k.bin";
const OBJECT = "the object's own bytes";
const ERROR_DOC = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>' +
  "<Message>We encountered an internal error. Please try again.</Message>" +
  "<RequestId>4442587FB7D0A2F9</RequestId></Error>";

/** A 200 answer with `body` and `headers` besides S3's own. */
function answer(body: string, headers: Record<string, string>): Response {
  return new Response(body, {
    headers: {
      "x-amz-request-id": "4442587FB7D0A2F9",
      "last-modified": new Date(0).toUTCString(),
      "content-type": "application/xml",
      ...headers,
    },
  });
}

/** Files under `dir`, relative, but the records' tree. */
function dataFiles(dir: string, under = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${dir}/${under}`)) {
    if (e.name === ".meta") continue;
    const rel = under === "" ? e.name : `${under}/${e.name}`;
    if (e.isDirectory) out.push(...dataFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

for (
  const [kind, headers] of [
    ["an opaque ETag", { etag: '"a1b2c3-opaque"' }],
    ["SSE-KMS", { etag: `"${md5Hex("kms")}"`, "x-amz-server-side-encryption": "aws:kms" }],
  ] as const
) {
  Deno.test(`cache: a GET answered 200 with an <Error> document, ${kind}: refused, nothing cached`, async () => {
    await using server = answeringS3(() => answer(ERROR_DOC, headers));
    const dir = await Deno.makeTempDir({ prefix: "vc-error-doc-in-200-" });
    try {
      await using cache = cacheOverEndpoint(dir, server.url);
      const error = await assertRejects(() => cache.cache(URI));
      assertStringIncludes(error.message, URI);
      assertStringIncludes(error.message, "200 OK with an <Error> in the body");
      assertStringIncludes(error.message, "InternalError");
      assertEquals(dataFiles(dir), [], "no file cached");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("cache: an <Error> document in a 200 with the object's MD5 ETag names the error, not damage", async () => {
  await using server = answeringS3(() => answer(ERROR_DOC, { etag: `"${md5Hex(OBJECT)}"` }));
  const dir = await Deno.makeTempDir({ prefix: "vc-error-doc-in-200-" });
  try {
    await using cache = cacheOverEndpoint(dir, server.url);
    const error = await assertRejects(() => cache.cache(URI));
    assertStringIncludes(error.message, "200 OK with an <Error> in the body: InternalError");
    assert(!error.message.includes("what the store holds"), error.message);
    assertEquals(dataFiles(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: a 200 <Error> document is retried as the error it says", async () => {
  let gets = 0;
  await using server = answeringS3(() =>
    ++gets === 1
      ? answer(ERROR_DOC, { etag: '"a1b2c3-opaque"' })
      : answer(OBJECT, { etag: '"a1b2c3-opaque"', "content-type": "application/octet-stream" })
  );
  const dir = await Deno.makeTempDir({ prefix: "vc-error-doc-in-200-" });
  try {
    await using cache = cacheOverEndpoint(dir, server.url, {
      store: testS3Options({ url: server.url }, { maxAttempts: 2 }),
    });
    assertEquals(await Deno.readTextFile(await cache.cache(URI)), OBJECT);
    assertEquals(gets, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: an object whose content is an <Error> document, vouched for by its MD5, is cached", async () => {
  for (
    const headers of [{ etag: `"${md5Hex(ERROR_DOC)}"` }, {
      etag: '"a1b2c3-opaque"',
      "x-amz-meta-vc-md5": md5Hex(ERROR_DOC),
    }]
  ) {
    await using server = answeringS3(() => answer(ERROR_DOC, headers));
    const dir = await Deno.makeTempDir({ prefix: "vc-error-doc-in-200-" });
    try {
      await using cache = cacheOverEndpoint(dir, server.url);
      assertEquals(await Deno.readTextFile(await cache.cache(URI)), ERROR_DOC);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

// A genuine object whose content is an <Error> document (a saved S3 answer, a
// test fixture), under an ETag that names no MD5 (SSE-KMS, an opaque one) and
// without vc-md5: every GET of it was refused as the error it holds, retried,
// and never could be had at all. Its RequestId is that of the request it was
// saved from, never the one this answer's x-amz-request-id names (S3, MinIO
// and Ceph give both the same id in an error they send).
Deno.test("cache: a stored <Error> document naming another request than the answer's is the object", async () => {
  for (
    const headers of [
      { etag: '"a1b2c3-opaque"', "x-amz-request-id": "TX0000000000LIVE" },
      {
        etag: `"${md5Hex("kms")}"`,
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-request-id": "TX0000000000LIVE",
      },
    ]
  ) {
    let gets = 0;
    await using server = answeringS3(() => (gets++, answer(ERROR_DOC, headers)));
    const dir = await Deno.makeTempDir({ prefix: "vc-error-doc-in-200-" });
    try {
      await using cache = cacheOverEndpoint(dir, server.url);
      assertEquals(await Deno.readTextFile(await cache.cache(URI)), ERROR_DOC);
      assertEquals(gets <= 2, true, `${gets} requests: no retry of the object`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

// A proxy in front of the store that adds its own x-amz-request-id beside the
// store's forwards the store's error with both: the header reads
// "STORE-ID, PROXY-ID", not the document's id alone, yet the document is this
// answer's error (its id is the store's), never content to cache.
Deno.test("cache: a 200 <Error> whose id is one of the answer's request ids is refused, nothing cached", async () => {
  await using server = answeringS3(() => {
    const headers = new Headers({
      etag: '"a1b2c3-opaque"',
      "last-modified": new Date(0).toUTCString(),
      "content-type": "application/xml",
    });
    headers.append("x-amz-request-id", "4442587FB7D0A2F9");
    headers.append("x-amz-request-id", "PROXY0000000001");
    return new Response(ERROR_DOC, { headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-error-doc-in-200-" });
  try {
    await using cache = cacheOverEndpoint(dir, server.url, {
      store: testS3Options({ url: server.url }, { maxAttempts: 2 }),
    });
    const error = await assertRejects(() => cache.cache(URI));
    assertStringIncludes(error.message, "200 OK with an <Error> in the body: InternalError");
    assertEquals(dataFiles(dir), [], "no file cached");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
