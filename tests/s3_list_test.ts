/**
 * `S3Store.list` on the lean ListObjectsV2 path (`src/store/s3_list.ts`):
 * exact keys (XML entities, URL encoding, unicode, control characters) in S3
 * order, paging past 1000 keys one page at a time, `startAfter`, error
 * mapping, a failure mid-pagination (which must make a mirror delete
 * nothing), abort, and odd servers (no `encoding-type`, no continuation
 * token, a body cut short, a body that is not a listing). The key cases also
 * run against `VC_TEST_S3_ENDPOINT` (moto in `deno task test:compat`).
 */
import { staticGraph } from "./module_graph.ts";
import { join } from "node:path";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AccessDeniedError, NotFoundError, StoreError, VcError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { S3Store } from "../src/store/s3.ts";
import { parseListObjectsV2 } from "../src/store/s3_list.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import {
  type Backend,
  endpointBackend,
  fakeBackend,
  S3_ENDPOINT,
  tempDir,
  writeTree,
} from "./mirror_helpers.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const enc = new TextEncoder();

async function collect(it: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of it) out.push(o);
  return out;
}

function utf8Order(a: string, b: string): number {
  const x = enc.encode(a);
  const y = enc.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

// Keys that need XML entities, URL encoding or both; and keys whose UTF-16
// order differs from UTF-8 byte order (an astral character against U+FFFD).
const TRICKY_KEYS = [
  "amp&and",
  "lt<gt>",
  'quote"d',
  "apos'trophe",
  "&amp;literal-entity",
  "ctl\x01one",
  "tab\there",
  "line\nbreak",
  "cr\rreturn",
  "del\x7f",
  "plus+sign",
  "space here",
  "percent%20literal",
  "ü/ñ/日本語",
  "emoji😀",
  "repl\uFFFD",
  "trailing.",
  "a/b/c",
];

const tricky = async (b: Backend, keys: readonly string[] = TRICKY_KEYS) => {
  const store = b.store as S3Store;
  for (const k of keys) await store.put(`t/${k}`, enc.encode(k));
  const listed = await collect(store.list("t/"));
  const expected = keys.map((k) => `t/${k}`).sort(utf8Order);
  assertEquals(listed.map((o) => o.key), expected);
  for (const o of listed) {
    const body = o.key.slice(2);
    assertEquals(o.size, enc.encode(body).length, o.key);
    assertEquals(o.etag, md5Hex(body), o.key);
    assert(o.lastModified.getTime() > 0, `${o.key} has a time`);
  }
  // startAfter with a key that needs encoding.
  const after = await collect(store.list("t/", { startAfter: "t/amp&and" }));
  assertEquals(after.map((o) => o.key), expected.filter((k) => utf8Order(k, "t/amp&and") > 0));
  // A prefix that needs encoding.
  assertEquals((await collect(store.list("t/lt<"))).map((o) => o.key), ["t/lt<gt>"]);
};

Deno.test("s3 list (fake S3): keys with entities, unicode and control characters round-trip in S3 order", async () => {
  await using b = await fakeBackend();
  await tricky(b);
});

Deno.test({
  name: "s3 list (VC_TEST_S3_ENDPOINT): tricky keys round-trip in S3 order",
  ignore: S3_ENDPOINT === undefined, // only in deno task test:compat (moto)
  fn: async () => {
    await using b = await endpointBackend();
    // moto answers 404 to a PUT whose path has an encoded newline (%0A).
    const keys = TRICKY_KEYS.filter((k) => !k.includes("\n"));
    try {
      await tricky(b, keys);
    } finally {
      // moto cannot parse a DeleteObjects body naming control characters:
      // remove the keys one by one before the backend deletes its bucket.
      const store = b.store as S3Store;
      const client = new S3Client({
        endpoint: S3_ENDPOINT!,
        region: "us-east-1",
        forcePathStyle: true,
        credentials,
      });
      try {
        for (const k of keys) {
          await client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: `t/${k}` }));
        }
      } finally {
        client.destroy();
      }
    }
  },
});

Deno.test({
  name: "s3 list (VC_TEST_S3_ENDPOINT): 2500 keys in pages, with startAfter",
  ignore: S3_ENDPOINT === undefined, // only in deno task test:compat (moto)
  fn: async () => {
    await using b = await endpointBackend();
    const keys = Array.from({ length: 2500 }, (_, i) => `p/${String(i).padStart(5, "0")}`);
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < keys.length; i += 8) await b.store.put(keys[i]!, enc.encode("x"));
      }),
    );
    assertEquals((await collect(b.store.list("p/"))).map((o) => o.key), keys);
    assertEquals(
      (await collect(b.store.list("p/", { startAfter: "p/01499" }))).map((o) => o.key),
      keys.slice(1500),
    );
  },
});

Deno.test("s3 list (fake S3): 2500 keys are 3 requests of 1000, fetched lazily; startAfter and prefix", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const keys = Array.from({ length: 2500 }, (_, i) => `root/k/${String(i).padStart(5, "0")}`);
  for (const k of keys) await fake.putObject("b", k, "x");
  await fake.putObject("b", "root/k", "sibling-object");
  await fake.putObject("b", "root/kk/1", "sibling-prefix");
  await using store = storeOn(fake.url, { prefix: "root" });
  fake.resetStats();
  const rel = keys.map((k) => k.slice("root/".length));
  assertEquals((await collect(store.list("k/"))).map((o) => o.key), rel);
  assertEquals(fake.stats.ListObjectsV2, 3);
  assertEquals(fake.stats.total, 3);
  // Lazy: taking the first object costs one request; the rest are never asked for.
  fake.resetStats();
  let taken = 0;
  for await (const o of store.list("k/")) {
    taken++;
    assertEquals(o.key, rel[0]);
    break;
  }
  assertEquals(taken, 1, "the first object was listed");
  assertEquals(fake.stats.ListObjectsV2, 1);
  const after = await collect(store.list("k/", { startAfter: "k/01999" }));
  assertEquals(after.map((o) => o.key), rel.slice(2000));
  assertEquals(await collect(store.list("k/", { startAfter: "k/99999" })), []);
  assertEquals((await collect(store.list("k"))).length, 2502);
  // etags: false changes nothing for S3 (listings always carry ETags).
  const cheap = await collect(store.list("k/", { etags: false, startAfter: "k/02498" }));
  assertEquals(cheap.map((o) => [o.key, o.etag]), [["k/02499", md5Hex("x")]]);
});

Deno.test("s3 list (fake S3): a page failing mid-listing is an error after the first page, and the mirror deletes nothing", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  for (let i = 0; i < 1500; i++) await fake.putObject("b", `m/${String(i).padStart(4, "0")}`, "x");
  await using store = storeOn(fake.url, { maxAttempts: 2 });
  let lists = 0;
  const secondPageOn = (t: { op: string }) => t.op === "ListObjectsV2" && ++lists >= 2;
  fake.failNext(2, "internal", secondPageOn);
  const seen: string[] = [];
  const error = await assertRejects(async () => {
    for await (const o of store.list("m/")) seen.push(o.key);
  }, StoreError);
  assertEquals(seen.length, 1000, "the first page was delivered");
  assertStringIncludes(error.message, "LIST");

  // The same failure under `vc mirror --delete`: no DeleteObjects at all.
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "only.txt": "o" });
  lists = 0;
  fake.failNext(2, "internal", secondPageOn);
  fake.resetStats();
  await assertRejects(
    () =>
      mirror({
        sources: [src],
        target: store,
        targetPrefix: "m",
        delete: true,
        statePath: join(w.dir, "s.db"),
      }),
    VcError,
    "nothing was deleted",
  );
  assertEquals(fake.stats.DeleteObjects + fake.stats.DeleteObject, 0);
  assertEquals(fake.listKeys("b", "m/").length, 1500);
});

Deno.test("s3 list (fake S3): a transient failure of a page is retried and the listing is complete", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  for (let i = 0; i < 1200; i++) await fake.putObject("b", `r/${String(i).padStart(4, "0")}`, "x");
  await using store = storeOn(fake.url);
  let lists = 0;
  fake.failNext(1, "slowdown", (t) => t.op === "ListObjectsV2" && ++lists >= 2);
  fake.failNext(1, "reset", (t) => t.op === "ListObjectsV2");
  assertEquals((await collect(store.list("r/"))).length, 1200);
  assert(fake.stats.faults >= 2, "faults were injected");
});

Deno.test("s3 list (fake S3): abort stops the listing with the abort reason", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  for (let i = 0; i < 1100; i++) await fake.putObject("b", `a/${String(i).padStart(4, "0")}`, "x");
  await using store = storeOn(fake.url);
  const stop = new AbortController();
  fake.resetStats();
  let n = 0;
  const reason = new Error("stop listing");
  const error = await assertRejects(async () => {
    for await (const _ of store.list("a/", { signal: stop.signal })) {
      if (++n === 10) stop.abort(reason);
    }
  });
  assert(error === reason, `rejected with the abort reason: ${error}`);
  assertEquals(fake.stats.ListObjectsV2, 1);
  // Aborted before it starts: no request at all.
  fake.resetStats();
  await assertRejects(() => collect(store.list("a/", { signal: AbortSignal.abort(reason) })));
  assertEquals(fake.stats.ListObjectsV2, 0);
});

Deno.test("s3 list: a missing bucket is NotFoundError naming it; AccessDenied is AccessDeniedError", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using missing = storeOn(fake.url, { bucket: "no-such-bucket" });
  await assertRejects(() => collect(missing.list("")), NotFoundError, "s3://no-such-bucket");
  await withServer(
    () =>
      xml(
        "<Error><Code>AccessDenied</Code><Message>Access &amp; more denied</Message></Error>",
        403,
      ),
    async (store) => {
      await assertRejects(
        () => collect(store.list("x/")),
        AccessDeniedError,
        "Access & more denied",
      );
    },
  );
});

Deno.test("s3 list: servers that ignore encoding-type and continuation tokens still list exactly", async () => {
  // A ListObjects-v1-like server: entities only (no URL encoding), and no
  // NextContinuationToken, so paging continues with start-after.
  const pages = [
    {
      keys: ["a&amp;b", "c&lt;d", "e&#x1;f", "g h+i%2B"],
      truncated: true,
    },
    { keys: ["z&quot;"], truncated: false },
  ];
  const starts: (string | null)[] = [];
  await withServer((url) => {
    starts.push(url.searchParams.get("start-after"));
    assertEquals(url.searchParams.get("list-type"), "2");
    assertEquals(url.searchParams.get("max-keys"), "1000");
    assertEquals(url.searchParams.get("encoding-type"), "url");
    const page = pages[starts.length - 1]!;
    return xml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>${page.truncated}</IsTruncated>${
        page.keys.map((k) =>
          `<Contents><Key>${k}</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>"0123"</ETag><Size>7</Size><Owner><ID>x</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>`
        ).join("")
      }</ListBucketResult>`,
    );
  }, async (store) => {
    const listed = await collect(store.list(""));
    assertEquals(listed.map((o) => o.key), ["a&b", "c<d", "e\x01f", "g h+i%2B", 'z"']);
    assertEquals(listed[0]!.etag, "0123");
    assertEquals(listed[0]!.size, 7);
    assertEquals(listed[0]!.lastModified.toISOString(), "2026-01-02T03:04:05.000Z");
    assertEquals(starts, [null, "g h+i%2B"]);
  });
});

Deno.test("s3 list: a body cut short is asked for again; a body that is not a listing is an error", async () => {
  const full = `<ListBucketResult><IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>${
    Array.from({ length: 300 }, (_, i) =>
      `<Contents><Key>k${
        String(i).padStart(3, "0")
      }</Key><ETag>&quot;e&quot;</ETag><Size>1</Size></Contents>`).join("")
  }</ListBucketResult>`;
  let calls = 0;
  await withServer(() => {
    calls++;
    if (calls > 1) return xml(full);
    // No Content-Length, then the connection breaks mid-document.
    const bytes = enc.encode(full);
    return new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(bytes.subarray(0, 2000));
          c.error(new Error("cut"));
        },
      }),
      { headers: { "content-type": "application/xml" } },
    );
  }, async (store) => {
    const listed = await collect(store.list(""));
    assertEquals(listed.length, 300);
    assertEquals(listed[299]!.key, "k299");
    assertEquals(calls, 2);
  });
  // Not a listing (a proxy's page): asked again (3 attempts here), then an error.
  let proxied = 0;
  await withServer(() => {
    proxied++;
    return new Response("<html>proxy says hi</html>");
  }, async (store) => {
    await assertRejects(() => collect(store.list("")), StoreError, "not a ListBucketResult");
    assertEquals(proxied, 3);
  });
  // A complete-looking response whose document stops early (no closing root):
  // asked again, and the second answer is used.
  let cut = 0;
  await withServer(() => {
    cut++;
    return xml(cut === 1 ? full.slice(0, full.lastIndexOf("</Contents>") + 11) : full);
  }, async (store) => {
    assertEquals((await collect(store.list(""))).length, 300);
    assertEquals(cut, 2);
  });
  await withServer(
    () => xml("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
    async (store) => {
      await assertRejects(() => collect(store.list("")), StoreError, "continuation token");
    },
  );
});

Deno.test("s3 list: a server repeating a continuation token, ignoring it or start-after, or paging emptiness forever is an error, not an endless listing", async () => {
  // Truncated forever with one token (empty pages, and pages of keys).
  for (
    const keys of ["", "<Contents><Key>k</Key><ETag>&quot;e&quot;</ETag><Size>1</Size></Contents>"]
  ) {
    let calls = 0;
    await withServer(() => {
      calls++;
      return xml(
        `<ListBucketResult><IsTruncated>true</IsTruncated>${keys}<NextContinuationToken>same</NextContinuationToken></ListBucketResult>`,
      );
    }, async (store) => {
      await assertRejects(() => collect(store.list("")), StoreError, "would never end");
    });
    assertEquals(calls, 2);
  }
  // Tokens that cycle (a, b, a, ...).
  let cycled = 0;
  await withServer(() => {
    cycled++;
    return xml(
      `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>${
        cycled % 2 === 0 ? "a" : "b"
      }</NextContinuationToken></ListBucketResult>`,
    );
  }, async (store) => {
    await assertRejects(() => collect(store.list("")), StoreError, "gave before");
  });
  assertEquals(cycled, 3);
  // No token, and start-after ignored: the same page again.
  let ignored = 0;
  await withServer(() => {
    ignored++;
    return xml(
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>k</Key><ETag>&quot;e&quot;</ETag><Size>1</Size></Contents></ListBucketResult>",
    );
  }, async (store) => {
    await assertRejects(() => collect(store.list("")), StoreError, "ignored start-after");
  });
  assertEquals(ignored, 2);
  // ... refused before the repeated page is handed on: a consumer acting on
  // each page (a mirror downloading, a listing printing) never gets a key twice.
  const handedOn: string[] = [];
  await withServer(() =>
    xml(
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>k</Key><ETag>&quot;e&quot;</ETag><Size>1</Size></Contents></ListBucketResult>",
    ), async (store) => {
    await assertRejects(
      async () => {
        for await (const page of store.listPages!("")) handedOn.push(...page.map((o) => o.key));
      },
      StoreError,
      "ignored start-after",
    );
  });
  assertEquals(handedOn, ["k"]);
  // A fresh token each time, but the token ignored: the first page again and again.
  let restarted = 0;
  await withServer(() => {
    restarted++;
    return xml(
      `<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>k</Key><ETag>&quot;e&quot;</ETag><Size>1</Size></Contents><NextContinuationToken>t${restarted}</NextContinuationToken></ListBucketResult>`,
    );
  }, async (store) => {
    await assertRejects(() => collect(store.list("")), StoreError, "started over");
  });
  assertEquals(restarted, 2);
  // Empty truncated pages with fresh tokens, forever: given up after a bounded number.
  let empty = 0;
  await withServer(() => {
    empty++;
    return xml(
      `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t${empty}</NextContinuationToken></ListBucketResult>`,
    );
  }, async (store) => {
    await assertRejects(() => collect(store.list("")), StoreError, "empty pages in a row");
  });
  assertEquals(empty, 1000);
});

Deno.test("s3 list: a page body without end is refused at its size cap; one dripping bytes at its deadline", async () => {
  // Bytes as fast as they go, never ending: refused past 32 MiB, not retried.
  const block = enc.encode(`<!--${"x".repeat(1 << 20)}-->`);
  let endless = 0;
  await withServer(() => {
    endless++;
    return new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(enc.encode("<ListBucketResult><IsTruncated>false</IsTruncated>"));
        },
        pull(c) {
          c.enqueue(block);
        },
      }),
      { headers: { "content-type": "application/xml" } },
    );
  }, async (store) => {
    await assertRejects(() => collect(store.list("")), StoreError, "larger than 32 MiB");
  });
  assertEquals(endless, 1);
  // A few bytes every 50 ms, never ending (the idle timeout never fires).
  let dripping = 0;
  const timers: ReturnType<typeof setInterval>[] = [];
  await withServer(() => {
    dripping++;
    return new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(enc.encode("<ListBucketResult><IsTruncated>false</IsTruncated>"));
          timers.push(setInterval(() => {
            try {
              c.enqueue(enc.encode("<!-- -->"));
            } catch { /* cancelled */ }
          }, 50));
        },
      }),
      { headers: { "content-type": "application/xml" } },
    );
  }, async (store) => {
    await assertRejects(() => collect(store.list("")), StoreError, "stalled");
  }, 500);
  for (const t of timers) clearInterval(t);
  assertEquals(dripping, 1);
});

Deno.test("s3 list: a listing coded with a Content-Encoding vc did not ask for is refused saying so, once", async () => {
  const listing = new TextEncoder().encode(
    "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
  );
  const gzipped = new Uint8Array(
    await new Response(
      new Blob([listing]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  let calls = 0;
  await withServer(() => {
    calls++;
    return new Response(gzipped, {
      headers: { "content-type": "application/xml", "content-encoding": "gzip" },
    });
  }, async (store) => {
    const error = await assertRejects(() => collect(store.list("")), StoreError);
    assertStringIncludes(error.message, "came with Content-Encoding: gzip");
    assertStringIncludes(error.message, "http://127.0.0.1:");
  });
  assertEquals(calls, 1);
});

Deno.test("parseListObjectsV2: header elements after the contents, tokens with entities, empty pages", () => {
  const page = parseListObjectsV2(
    "<ListBucketResult><Name>b</Name><KeyCount>1</KeyCount><Contents><Key>k%0A</Key><Size>2</Size></Contents>" +
      "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>" +
      "<NextContinuationToken>a&amp;b=</NextContinuationToken></ListBucketResult>",
  );
  assertEquals(page.objects.map((o) => o.key), ["k\n"]);
  assertEquals([page.truncated, page.nextToken], [true, "a&b="]);
  const empty = parseListObjectsV2(
    "<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>",
  );
  assertEquals([empty.objects.length, empty.truncated, empty.nextToken], [0, false, undefined]);
});

// ---------------------------------------------------------------------------

function storeOn(
  endpoint: string,
  options: { bucket?: string; prefix?: string; maxAttempts?: number; requestTimeoutMs?: number } =
    {},
): S3Store & AsyncDisposable {
  const store = new S3Store({
    bucket: options.bucket ?? "b",
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.requestTimeoutMs === undefined
      ? {}
      : { requestTimeoutMs: options.requestTimeoutMs }),
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
  });
  return Object.assign(store, { [Symbol.asyncDispose]: () => store.close() });
}

function xml(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "application/xml" } });
}

async function withServer(
  handler: (url: URL) => Response,
  fn: (store: S3Store) => Promise<void>,
  requestTimeoutMs?: number,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => handler(new URL(req.url)),
  );
  const store = storeOn(`http://127.0.0.1:${server.addr.port}`, {
    maxAttempts: 3,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });
  try {
    await fn(store);
  } finally {
    await store.close();
    await server.shutdown();
  }
}

Deno.test("s3 store: importing S3Store loads no AWS SDK module (listings never need it)", async () => {
  const seen = await staticGraph("src/store/s3.ts");
  assert(seen.length > 5, `the graph was read: ${seen.join()}`);
  assertEquals(seen.filter((m) => m.includes("@aws-sdk")), []);
});
