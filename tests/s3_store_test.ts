// S3Store against (1) tiny in-process HTTP servers that inject faults (error
// mapping, retries, resets, truncated bodies) and (2) moto, a real
// S3-compatible server (skipped when moto_server is not installed).
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "./assert.ts";
import {
  AccessDeniedError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  NotModifiedError,
  OfflineError,
  PreconditionFailedError,
  StoreError,
} from "../src/errors.ts";
import { md5File, md5Hex, multipartEtag } from "../src/hash.ts";
import { S3Store, type S3StoreOptions } from "../src/store/s3.ts";
import { S3Fetch, type S3FetchOptions } from "../src/store/s3_fetch.ts";
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { closedPort } from "./closed_port.ts";

const CREDENTIALS = { accessKeyId: "AKIDVCTEST", secretAccessKey: "vc-test-secret" };
const enc = new TextEncoder();
const dec = new TextDecoder();

// ---------------------------------------------------------------------------
// In-process servers

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: Uint8Array;
}

type Handler = (req: Seen, n: number) => Response | Promise<Response>;

/** Runs `fn` with an S3Store pointed at a Deno.serve server answering with `handler`. */
async function withServer(
  handler: Handler,
  fn: (store: S3Store, seen: Seen[], endpoint: string) => Promise<void>,
  options: Partial<S3StoreOptions> = {},
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const s: Seen = {
      method: req.method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: new Uint8Array(await req.arrayBuffer()),
    };
    seen.push(s);
    return await handler(s, seen.length);
  });
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  const store = new S3Store({
    bucket: "bkt",
    prefix: "pre",
    endpoint,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 3,
    ...options,
  });
  try {
    await fn(store, seen, endpoint);
  } finally {
    await store.close();
    await server.shutdown();
  }
}

function xmlError(status: number, code: string, message: string, headers: HeadersInit = {}) {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>REQ123</RequestId></Error>`,
    { status, headers: { "content-type": "application/xml", ...headers } },
  );
}

function objectResponse(body: Uint8Array, extra: HeadersInit = {}): Response {
  return new Response(body as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      etag: `"${md5Hex(body)}"`,
      "last-modified": "Wed, 01 Jan 2025 00:00:00 GMT",
      "content-type": "application/octet-stream",
      ...extra,
    },
  });
}

/**
 * A raw TCP server for faults Deno.serve cannot produce: closing without a
 * response, or sending fewer body bytes than Content-Length. `script` gets
 * the connection number and the raw request head, and returns the bytes to
 * write before closing (or `undefined` to close without answering).
 */
async function withRawServer(
  script: (n: number, head: string) => string | Uint8Array | undefined,
  fn: (endpoint: string) => Promise<void>,
): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const conns = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const n = ++connections;
      (async () => {
        try {
          let head = "";
          const buf = new Uint8Array(16 * 1024);
          while (!head.includes("\r\n\r\n")) {
            const read = await conn.read(buf);
            if (read === null) return;
            head += dec.decode(buf.subarray(0, read));
          }
          const out = script(n, head);
          if (out !== undefined) {
            const bytes = typeof out === "string" ? enc.encode(out) : out;
            let written = 0;
            while (written < bytes.length) written += await conn.write(bytes.subarray(written));
          }
        } catch {
          // The client went away: nothing to do.
        } finally {
          conns.delete(conn);
          try {
            conn.close();
          } catch {
            // already closed
          }
        }
      })();
    }
  })();
  try {
    await fn(`http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  } finally {
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    await serving.catch(() => {});
  }
  return connections;
}

function rawStore(endpoint: string, options: Partial<S3StoreOptions> = {}): S3Store {
  return new S3Store({
    bucket: "bkt",
    endpoint,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 3,
    ...options,
  });
}

// ---------------------------------------------------------------------------
// Requests, retries and error mapping (in-process servers)

Deno.test("s3 store: GET signs the request, addresses path-style, and reads info", async () => {
  const body = enc.encode("hello world");
  await withServer(
    () =>
      objectResponse(body, {
        "x-amz-meta-vc-md5": md5Hex(body),
        "content-type": "text/plain",
      }),
    async (store, seen) => {
      assertEquals(store.url, "s3://bkt/pre");
      const { info, body: stream } = await store.get("dir/a b+c.txt");
      assertEquals(
        dec.decode(new Uint8Array(await new Response(stream).arrayBuffer())),
        "hello world",
      );
      assertEquals(info.key, "dir/a b+c.txt");
      assertEquals(info.size, 11);
      assertEquals(info.etag, md5Hex(body));
      assertEquals(info.contentType, "text/plain");
      assertEquals(info.metadata?.["vc-md5"], md5Hex(body));
      assertEquals(info.lastModified.toISOString(), "2025-01-01T00:00:00.000Z");
      const req = seen[0]!;
      assertEquals(req.path, "/bkt/pre/dir/a%20b%2Bc.txt");
      assertMatch(
        req.headers.get("authorization") ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIDVCTEST\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
      );
      assertEquals(req.headers.get("accept-encoding"), "identity");
      // The object's own checksum is asked for: the check of an object whose ETag is no MD5.
      assertEquals(req.headers.get("x-amz-checksum-mode"), "ENABLED");
    },
  );
});

Deno.test("s3 store: ranged and conditional GET send Range / If-None-Match / If-Match", async () => {
  const body = enc.encode("0123456789");
  await withServer(
    (req) => {
      const range = req.headers.get("range");
      if (range === "bytes=2-5") {
        return new Response(body.slice(2, 6), {
          status: 206,
          headers: { "content-range": "bytes 2-5/10", etag: `"${md5Hex(body)}"` },
        });
      }
      if (req.headers.get("if-none-match") === `"${md5Hex(body)}"`) {
        return new Response(null, { status: 304 });
      }
      if (req.headers.get("if-match") !== null) return xmlError(412, "PreconditionFailed", "no");
      return objectResponse(body);
    },
    async (store, seen) => {
      const r = await store.get("k", { range: { start: 2, end: 5 } });
      assertEquals(dec.decode(new Uint8Array(await new Response(r.body).arrayBuffer())), "2345");
      assertEquals(r.info.size, 10, "size is the whole object's");
      assertStringIncludes(seen[0]!.headers.get("authorization") ?? "", "host;range;");
      const e = await assertRejects(
        () => store.get("k", { ifNoneMatch: md5Hex(body) }),
        NotModifiedError,
      );
      assertStringIncludes(e.message, "s3://bkt/pre/k");
      assertStringIncludes(seen[1]!.headers.get("authorization") ?? "", "if-none-match");
      await assertRejects(
        () => store.get("k", { ifMatch: "0".repeat(32) }),
        PreconditionFailedError,
        "s3://bkt/pre/k",
      );
      assertEquals(seen[2]!.headers.get("if-match"), `"${"0".repeat(32)}"`);
      await assertRejects(() => store.get("k", { range: { start: 5, end: 2 } }), InvalidInputError);
    },
  );
});

Deno.test("s3 store: a server that ignores Range still yields only the requested bytes", async () => {
  const body = enc.encode("0123456789");
  await withServer(() => objectResponse(body), async (store) => {
    const r = await store.get("k", { range: { start: 3, end: 6 } });
    assertEquals(dec.decode(new Uint8Array(await new Response(r.body).arrayBuffer())), "3456");
    const tail = await store.get("k", { range: { start: 8 } });
    assertEquals(dec.decode(new Uint8Array(await new Response(tail.body).arrayBuffer())), "89");
  });
});

Deno.test("s3 store: objects stored gzip-encoded come back as stored bytes", async () => {
  const gz = new Uint8Array(
    await new Response(
      new Blob([enc.encode("plain text ".repeat(50))]).stream().pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  await withServer(() => objectResponse(gz, { "content-encoding": "gzip" }), async (store) => {
    const r = await store.get("k.txt.gz");
    const got = new Uint8Array(await new Response(r.body).arrayBuffer());
    assertEquals(md5Hex(got), md5Hex(gz));
    assertEquals(r.info.etag, md5Hex(gz));
  });
});

Deno.test("s3 store: 503 twice then 200 is retried transparently", async () => {
  await withServer(
    (_req, n) =>
      n <= 2
        ? xmlError(503, "SlowDown", "Please reduce your request rate.")
        : objectResponse(enc.encode("ok")),
    async (store, seen) => {
      const r = await store.get("k");
      assertEquals(dec.decode(new Uint8Array(await new Response(r.body).arrayBuffer())), "ok");
      assertEquals(seen.length, 3);
    },
  );
});

Deno.test("s3 store: persistent 5xx ends in StoreError with status after maxAttempts", async () => {
  await withServer(
    () => xmlError(503, "SlowDown", "Please reduce your request rate."),
    async (store, seen) => {
      const e = await assertRejects(() => store.get("k"), StoreError);
      assertEquals(e.status, 503);
      assertStringIncludes(e.message, "s3://bkt/pre/k");
      assertStringIncludes(e.message, "SlowDown");
      assertEquals(seen.length, 2);
    },
    { maxAttempts: 2 },
  );
  await withServer(
    () => new Response("<html>bad gateway</html>", { status: 500 }),
    async (store, seen) => {
      const e = await assertRejects(() => store.head("k"), StoreError);
      assertEquals(e.status, 500);
      assertEquals(seen.length, 3);
    },
  );
});

Deno.test("s3 store: 4xx are not retried and map to our errors", async () => {
  await withServer(
    (req) => {
      switch (req.path) {
        case "/bkt/pre/denied":
          return xmlError(403, "AccessDenied", "Access Denied");
        case "/bkt/pre/badkey":
          return xmlError(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist.",
          );
        case "/bkt/pre/missing":
          return xmlError(404, "NoSuchKey", "The specified key does not exist.");
        case "/bkt/pre/nobucket":
          return xmlError(404, "NoSuchBucket", "The specified bucket does not exist");
        case "/bkt/pre/range":
          return xmlError(416, "InvalidRange", "The requested range is not satisfiable");
        case "/bkt/pre/unauth":
          return new Response("", { status: 401 });
        case "/bkt/pre/bad":
          return xmlError(400, "InvalidArgument", "nope");
        case "/bkt/pre/region":
          return xmlError(400, "AuthorizationHeaderMalformed", "wrong region", {
            "x-amz-bucket-region": "eu-west-2",
          });
      }
      return new Response(null, { status: 418 });
    },
    async (store, seen) => {
      const denied = await assertRejects(() => store.get("denied"), AccessDeniedError);
      assertStringIncludes(denied.message, "s3://bkt/pre/denied");
      assertStringIncludes(denied.message, "AccessDenied");
      assertStringIncludes(denied.message, "options");
      assertStringIncludes(denied.message, "AKIDVCTEST");
      const refused = await assertRejects(() => store.get("badkey"), AccessDeniedError);
      assertStringIncludes(refused.message, "were refused");
      await assertRejects(() => store.get("unauth"), AccessDeniedError);
      const missing = await assertRejects(() => store.get("missing"), NotFoundError);
      assertStringIncludes(missing.message, "s3://bkt/pre/missing");
      assertStringIncludes(missing.message, "NoSuchKey");
      const nobucket = await assertRejects(() => store.get("nobucket"), NotFoundError);
      assertStringIncludes(nobucket.message, "bucket s3://bkt does not exist");
      await assertRejects(
        () => store.get("range", { range: { start: 99 } }),
        InvalidInputError,
        "bytes=99-",
      );
      const bad = await assertRejects(() => store.get("bad"), StoreError);
      assertEquals(bad.status, 400);
      const region = await assertRejects(() => store.get("region"), StoreError);
      assertStringIncludes(region.message, "AWS_REGION=eu-west-2");
      // No retries for 4xx; the wrong region's is sent once more, signed
      // for the region it names (s3_region_redirect_follow_test.ts).
      assertEquals(seen.length, 9, "no retries for 4xx");
      // The error keeps what the server said; HEAD has no body but maps the status.
      assertEquals(await store.head("missing"), undefined);
      await assertRejects(() => store.head("denied"), AccessDeniedError);
    },
  );
});

Deno.test("s3 store: connection refused is OfflineError naming the endpoint", async () => {
  const port = closedPort();
  const store = rawStore(`http://127.0.0.1:${port}`);
  try {
    const e = await assertRejects(() => store.get("k"), OfflineError);
    assertStringIncludes(e.message, `http://127.0.0.1:${port}`);
    assertStringIncludes(e.message, "s3://bkt/k");
    assert(e.cause !== undefined);
  } finally {
    await store.close();
  }
});

Deno.test("s3 store: a connection closed without a response is retried", async () => {
  const body = "hello";
  let store: S3Store | undefined;
  const connections = await withRawServer(
    (n) =>
      n === 1
        ? undefined
        : `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nETag: "${
          md5Hex(body)
        }"\r\nConnection: close\r\n\r\n${body}`,
    async (endpoint) => {
      store = rawStore(endpoint);
      try {
        const r = await store.get("k");
        assertEquals(await new Response(r.body).text(), body);
      } finally {
        await store.close();
      }
    },
  );
  assertEquals(connections, 2);
});

Deno.test("s3 store: a small body cut short is retried inside get", async () => {
  const full = "0123456789";
  const etag = md5Hex(full);
  const requests = await withRawServer(
    (n) =>
      n === 1
        // Promise 10 bytes, send 4, hang up.
        ? `HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: "${etag}"\r\nConnection: close\r\n\r\n0123`
        : `HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: "${etag}"\r\nConnection: close\r\n\r\n${full}`,
    async (endpoint) => {
      const store = rawStore(endpoint);
      try {
        const { body, info } = await store.get("k");
        assertEquals(info.etag, etag);
        assertEquals(await new Response(body).text(), full);
      } finally {
        await store.close();
      }
    },
  );
  assertEquals(requests, 2);
});

Deno.test("s3 store: a large body cut mid-stream is resumed with a ranged, If-Match GET", async () => {
  // Over 1 MiB: streamed to the caller (smaller bodies are read, and retried, inside get).
  const full = "0123456789".repeat(150_000);
  const etag = md5Hex(full);
  const heads: string[] = [];
  await withRawServer(
    (n, head) => {
      heads.push(head);
      if (n === 1) {
        // Promise all of it, send 200 kB, hang up.
        return `HTTP/1.1 200 OK\r\nContent-Length: ${full.length}\r\nETag: "${etag}"\r\nConnection: close\r\n\r\n${
          full.slice(0, 200_000)
        }`;
      }
      const start = Number(/range: bytes=(\d+)-/i.exec(head)?.[1] ?? 0);
      return `HTTP/1.1 206 Partial Content\r\nContent-Length: ${
        full.length - start
      }\r\nContent-Range: bytes ${start}-${
        full.length - 1
      }/${full.length}\r\nETag: "${etag}"\r\nConnection: close\r\n\r\n${full.slice(start)}`;
    },
    async (endpoint) => {
      const store = rawStore(endpoint);
      try {
        const first = await store.get("k");
        const reader = first.body.getReader();
        const got: Uint8Array[] = [];
        let received = 0;
        const failed = await (async () => {
          try {
            while (true) {
              const { done, value } = await reader.read();
              if (done) return false;
              got.push(value);
              received += value.length;
            }
          } catch {
            return true;
          }
        })();
        assert(failed, "the truncated body must fail, not end early");
        const rest = await store.get("k", { range: { start: received }, ifMatch: first.info.etag });
        assertEquals(rest.info.size, full.length);
        got.push(new Uint8Array(await new Response(rest.body).arrayBuffer()));
        assertEquals(got.map((c) => dec.decode(c)).join(""), full);
      } finally {
        await store.close();
      }
    },
  );
  assert(heads.length === 2, `${heads.length} requests`);
  assertMatch(heads[1]!, /range: bytes=\d+-\r\n/i);
  assertMatch(heads[1]!, new RegExp(`if-match: "${etag}"`, "i"));
});

Deno.test("s3 store: PUT sends Content-MD5, metadata, conditions and checks the ETag", async () => {
  await withServer(
    (req) => {
      if (req.path === "/bkt/pre/lying") {
        return new Response(null, { headers: { etag: `"${"f".repeat(32)}"` } });
      }
      if (req.headers.get("if-none-match") === "*" && req.path === "/bkt/pre/exists") {
        return xmlError(
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold",
        );
      }
      const md5 = req.headers.get("content-md5");
      const actual = btoa(
        String.fromCharCode(...(md5Hex(req.body).match(/../g) ?? []).map((h) => parseInt(h, 16))),
      );
      if (md5 !== actual) {
        return xmlError(400, "BadDigest", "The Content-MD5 you specified did not match");
      }
      return new Response(null, { headers: { etag: `"${md5Hex(req.body)}"` } });
    },
    async (store, seen) => {
      const progress: number[] = [];
      const r = await store.put("a/b.csv", enc.encode("x,y\n1,2\n"), {
        contentType: "text/csv",
        metadata: { owner: "data-team" },
        ifMatch: "abc",
        onProgress: (n) => progress.push(n),
      });
      assertEquals(r.etag, md5Hex("x,y\n1,2\n"));
      assertEquals(progress.at(-1), 8);
      const req = seen[0]!;
      assertEquals(req.method, "PUT");
      assertEquals(req.path, "/bkt/pre/a/b.csv");
      assertEquals(req.headers.get("content-type"), "text/csv");
      assertEquals(req.headers.get("x-amz-meta-owner"), "data-team");
      assertEquals(req.headers.get("if-match"), '"abc"');
      // Small bodies are signed with their real SHA-256.
      assertEquals(req.headers.get("x-amz-content-sha256")?.length, 64);
      const signed = /SignedHeaders=([^,]+)/.exec(req.headers.get("authorization") ?? "")?.[1] ??
        "";
      for (const h of ["content-md5", "content-type", "if-match", "x-amz-meta-owner"]) {
        assert(signed.split(";").includes(h), `${h} is signed`);
      }
      const e = await assertRejects(
        () => store.put("exists", enc.encode("x"), { ifNoneMatch: "*" }),
        PreconditionFailedError,
      );
      assertStringIncludes(e.message, "s3://bkt/pre/exists");
      assertStringIncludes(e.message, "already exists");
      assertEquals(seen[1]!.headers.get("if-none-match"), "*");
      await assertRejects(
        () => store.put("lying", enc.encode("data")),
        IntegrityError,
        "s3://bkt/pre/lying",
      );
      await assertRejects(
        () => store.put("k", enc.encode("data"), { md5: md5Hex("other") }),
        IntegrityError,
      );
      await assertRejects(() => store.put("k", enc.encode("data"), { size: 3 }), IntegrityError);
      await assertRejects(
        () => store.put("k", enc.encode("data"), { metadata: { "bad name": "x" } }),
        InvalidInputError,
      );
    },
  );
});

Deno.test("s3 store: a create-only PUT whose first attempt landed is not reported as a conflict", async () => {
  const stored = new Map<string, Uint8Array>();
  await withServer(
    (req, n) => {
      if (req.method === "HEAD") {
        const b = stored.get(req.path);
        return b ? objectResponse(b) : new Response(null, { status: 404 });
      }
      if (stored.has(req.path)) return xmlError(412, "PreconditionFailed", "exists");
      stored.set(req.path, req.body);
      // The write landed, but the client sees a failure and retries.
      return n === 1 ? xmlError(500, "InternalError", "oops") : new Response(null, {
        headers: { etag: `"${md5Hex(req.body)}"` },
      });
    },
    async (store) => {
      const r = await store.put("once", enc.encode("payload"), { ifNoneMatch: "*" });
      assertEquals(r.etag, md5Hex("payload"));
      // A different body at the same key is a real conflict.
      await assertRejects(
        () => store.put("once", enc.encode("other"), { ifNoneMatch: "*" }),
        PreconditionFailedError,
      );
    },
  );
});

Deno.test("s3 store: an abort signal cancels a request the server has not answered", async () => {
  // The server answers only when the test says so; the request arriving there
  // is the moment to abort.
  let arrived!: () => void;
  const arrival = new Promise<void>((r) => (arrived = r));
  let answer!: () => void;
  const answered = new Promise<void>((r) => (answer = r));
  await withServer(
    async () => {
      arrived();
      await answered;
      return objectResponse(enc.encode("late"));
    },
    async (store) => {
      const controller = new AbortController();
      const pending = store.get("k", { signal: controller.signal });
      await arrival;
      controller.abort(new Error("user cancelled"));
      try {
        await assertRejects(() => pending, Error, "user cancelled");
      } finally {
        answer();
      }
    },
  );
});

Deno.test("s3 store: DeleteObjects sends Content-MD5 and reports per-key failures", async () => {
  await withServer(
    (req) => {
      assertEquals(req.method, "POST");
      assert(req.query.has("delete"));
      const expected = btoa(
        String.fromCharCode(...(md5Hex(req.body).match(/../g) ?? []).map((h) => parseInt(h, 16))),
      );
      assertEquals(req.headers.get("content-md5"), expected);
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Error><Key>pre/locked</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>`,
        { headers: { "content-type": "application/xml" } },
      );
    },
    async (store, seen) => {
      const e = await assertRejects(() => store.delete(["a", "locked", "a"]), AccessDeniedError);
      assertStringIncludes(e.message, "s3://bkt/pre/locked");
      assertStringIncludes(e.message, "1 of 2");
      assertEquals(seen.length, 1);
      const xml = dec.decode(seen[0]!.body);
      assertStringIncludes(xml, "<Key>pre/a</Key>");
      await store.delete([]);
      assertEquals(seen.length, 1, "nothing to delete, no request");
    },
  );
});

Deno.test("s3 store: deleting one key is one plain DELETE (no DeleteObjects); errors name it", async () => {
  await withServer(
    (req) => {
      if (req.method === "POST") return new Response("<DeleteResult/>");
      if (req.path.endsWith("/gone")) return xmlError(404, "NoSuchKey", "missing");
      if (req.path.endsWith("/nobucket")) return xmlError(404, "NoSuchBucket", "no bucket");
      if (req.path.endsWith("/locked")) return xmlError(403, "AccessDenied", "Access Denied");
      return new Response(null, { status: 204 });
    },
    async (store, seen) => {
      await store.delete(["a", "a"]);
      assertEquals(seen.map((s) => `${s.method} ${s.path}`), ["DELETE /bkt/pre/a"]);
      assertEquals(seen[0]!.headers.get("if-match"), null);
      await store.delete(["gone"]);
      const e = await assertRejects(() => store.delete(["locked"]), AccessDeniedError);
      assertStringIncludes(e.message, "s3://bkt/pre/locked");
      await assertRejects(() => store.delete(["nobucket"]), NotFoundError, "bucket");
      seen.length = 0;
      await store.delete(["a", "b"]);
      assertEquals(seen.map((s) => s.method), ["POST"], "two keys: one DeleteObjects");
      seen.length = 0;
      await store.delete(["a"], { ifMatch: "0123" });
      assertEquals(seen[0]!.method, "DELETE");
      assertEquals(seen[0]!.headers.get("if-match"), '"0123"');
    },
  );
});

Deno.test("s3 store: keys are validated before any request", async () => {
  await withServer(() => new Response(null, { status: 500 }), async (store, seen) => {
    await assertRejects(() => store.get(""), InvalidInputError);
    await assertRejects(() => store.get("a/../b"), InvalidInputError, "a/../b");
    // A leading "/" is a key of its own on S3; ".." after it is still refused.
    await assertRejects(() => store.get("/../b"), InvalidInputError, "/../b");
    await assertRejects(() => store.head("//./b"), InvalidInputError, "//./b");
    await assertRejects(() => store.head("./x"), InvalidInputError);
    await assertRejects(() => store.put("bad\ud800", enc.encode("x")), InvalidInputError);
    assertEquals(seen.length, 0);
  });
});

Deno.test("s3 store: a key with a leading or doubled / is its own key, inside the prefix", async () => {
  await withServer(
    (req) =>
      req.method === "HEAD" ? objectResponse(enc.encode("slash")) : new Response(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>false</IsTruncated>` +
          `<Contents><Key>pre//abs</Key><Size>5</Size><ETag>"x"</ETag>` +
          `<LastModified>2025-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>`,
        { headers: { "content-type": "application/xml" } },
      ),
    async (store, seen) => {
      assertEquals((await store.head("/abs"))?.key, "/abs");
      assertEquals((await store.head("a//b"))?.key, "a//b");
      assertEquals(seen.map((s) => s.path), ["/bkt/pre//abs", "/bkt/pre/a//b"]);
      const listed: string[] = [];
      for await (const info of store.list("/")) listed.push(info.key);
      assertEquals(listed, ["/abs"], "listed relative to the prefix, slash kept");
      assertEquals(seen[2]?.query.get("prefix"), "pre//");
    },
    { forcePathStyle: true },
  );
});

Deno.test("s3 store: constructor validates options; close is idempotent", async () => {
  const bad = [
    { bucket: "" },
    { bucket: "has/slash" },
    { bucket: "ok-bucket", partSize: 0 },
    { bucket: "ok-bucket", concurrency: 1.5 },
    { bucket: "ok-bucket", endpoint: "not a url" },
  ];
  for (const options of bad) {
    let threw = false;
    try {
      new S3Store(options);
    } catch (e) {
      threw = e instanceof InvalidInputError;
    }
    assert(threw, JSON.stringify(options));
  }
  const store = new S3Store({
    bucket: "ok-bucket",
    prefix: "/a/b/",
    endpoint: "http://127.0.0.1:1",
  });
  assertEquals(store.url, "s3://ok-bucket/a/b");
  assertEquals(
    new S3Store({ bucket: "ok-bucket", endpoint: "http://127.0.0.1:1" }).url,
    "s3://ok-bucket",
  );
  await store.close();
  await store.close();
  await assertRejects(() => store.head("x"), Error, "closed");
});

/** An S3Fetch of bucket `bkt` at 127.0.0.1:`port` (region us-east-1) with `options`. */
function fetchAt(
  port: number,
  options: Omit<S3FetchOptions, "bucket" | "baseUrl" | "region">,
): S3Fetch {
  return new S3Fetch({
    bucket: "bkt",
    baseUrl: `http://127.0.0.1:${port}/bkt`,
    region: "us-east-1",
    ...options,
  });
}

Deno.test("s3 fetch: expired session tokens are refreshed and the request retried once", async () => {
  let provided = 0;
  const seenTokens: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const token = req.headers.get("x-amz-security-token");
    seenTokens.push(token);
    return token === "t1"
      ? xmlError(400, "ExpiredToken", "The provided token has expired.")
      : new Response("ok");
  });
  const s3 = fetchAt(server.addr.port, {
    credentials: () => {
      provided++;
      return Promise.resolve({
        accessKeyId: "AKID",
        secretAccessKey: "s",
        sessionToken: `t${provided}`,
        expiration: new Date(Date.now() + 3_600_000),
      });
    },
    credentialSource: "test provider",
    retryBaseDelayMs: 1,
  });
  try {
    const res = await s3.request({ method: "GET", key: "k" });
    assertEquals(await res.text(), "ok");
    assertEquals(seenTokens, ["t1", "t2"]);
    // Fresh credentials are cached, not fetched per request.
    await (await s3.request({ method: "GET", key: "k" })).body?.cancel();
    assertEquals(provided, 2);
  } finally {
    s3.close();
    await server.shutdown();
  }
});

Deno.test("s3 fetch: credentials close to expiry are renewed before use", async () => {
  let provided = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("ok"),
  );
  const s3 = fetchAt(server.addr.port, {
    credentials: () => {
      provided++;
      // Expires in one minute: inside the refresh window, so asked for again each time.
      return Promise.resolve({
        accessKeyId: "AKID",
        secretAccessKey: "s",
        expiration: new Date(Date.now() + 60_000),
      });
    },
    credentialSource: "test provider",
  });
  try {
    for (let i = 0; i < 3; i++) {
      await (await s3.request({ method: "GET", key: "k" })).body?.cancel();
    }
    assertEquals(provided, 3);
  } finally {
    s3.close();
    await server.shutdown();
  }
});

Deno.test("s3 fetch: a credential provider failure is AccessDeniedError naming the source", async () => {
  const s3 = fetchAt(1, {
    credentials: () => Promise.reject(new Error("Could not load credentials from any providers")),
    credentialSource: 'AWS profile "nope" (AWS_PROFILE)',
  });
  try {
    const e = await assertRejects(() => s3.request({ method: "GET", key: "k" }), AccessDeniedError);
    assertStringIncludes(e.message, 'profile "nope"');
    assertStringIncludes(e.message, "s3://bkt/k");
  } finally {
    s3.close();
  }
});

Deno.test("s3 fetch: RequestTimeTooSkewed adopts the server's clock and retries", async () => {
  const serverNow = Date.now() + 2 * 3_600_000;
  const dates: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    dates.push(req.headers.get("x-amz-date") ?? "");
    return dates.length === 1
      ? xmlError(
        403,
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
        {
          date: new Date(serverNow).toUTCString(),
        },
      )
      : new Response("ok");
  });
  const s3 = fetchAt(server.addr.port, {
    credentials: () => Promise.resolve(CREDENTIALS),
    credentialSource: "test",
    retryBaseDelayMs: 1,
  });
  try {
    assertEquals(await (await s3.request({ method: "GET", key: "k" })).text(), "ok");
    const parse = (d: string) =>
      Date.parse(
        `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${
          d.slice(13, 15)
        }Z`,
      );
    assert(Math.abs(parse(dates[1]!) - serverNow) < 60_000, `${dates[1]} follows the server clock`);
  } finally {
    s3.close();
    await server.shutdown();
  }
});

// The SDK resolves profile regions and the credential chain from the
// environment and ~/.aws files; run S3Store in a child process so the test
// controls that environment without touching this process's.
async function runChild(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "vc_s3_child_" });
  try {
    const script = `${dir}/child.ts`;
    await Deno.writeTextFile(
      script,
      `import { S3Store } from ${
        JSON.stringify(new URL("../src/store/s3.ts", import.meta.url).href)
      };
const store = new S3Store({ bucket: "bkt" });
try {
  if ((await store.head("k"))?.size !== 3) throw new Error("unexpected head");
} finally {
  await store.close();
}
`,
    );
    const passThrough: Record<string, string> = {};
    for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "NO_COLOR"]) {
      const v = Deno.env.get(name);
      if (v !== undefined) passThrough[name] = v;
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", new URL("../deno.json", import.meta.url).pathname, script],
      clearEnv: true,
      env: {
        ...passThrough,
        AWS_CONFIG_FILE: `${dir}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
        AWS_EC2_METADATA_DISABLED: "true",
        ...env,
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("s3 store: endpoint, region and credentials come from AWS_* variables and profiles", async () => {
  const auth: string[] = [];
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    auth.push(req.headers.get("authorization") ?? "");
    paths.push(new URL(req.url).pathname);
    return new Response(null, { headers: { "content-length": "3", etag: `"${md5Hex("abc")}"` } });
  });
  const files = await Deno.makeTempDir({ prefix: "vc_s3_aws_" });
  try {
    const endpoint = `http://127.0.0.1:${server.addr.port}`;
    await Deno.writeTextFile(
      `${files}/config`,
      "[default]\nregion = us-west-1\n\n[profile vc-test]\nregion = eu-north-1\n",
    );
    await Deno.writeTextFile(
      `${files}/credentials`,
      "[vc-test]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = secretfromprofile\n",
    );
    const scope = (i: number) =>
      /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth[i] ?? "")?.slice(1);

    // Profile: region and keys from the files; AWS_ENDPOINT_URL with an IP is path-style.
    let r = await runChild({
      AWS_PROFILE: "vc-test",
      AWS_ENDPOINT_URL: endpoint,
      AWS_CONFIG_FILE: `${files}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${files}/credentials`,
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(scope(0), ["AKIDFROMPROFILE", "eu-north-1"]);
    assertEquals(paths[0], "/bkt/k");

    // AWS_REGION beats the profile's region; AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL.
    // Environment keys sign before AWS_PROFILE's, as for the aws CLI.
    r = await runChild({
      AWS_PROFILE: "vc-test",
      AWS_REGION: "ap-south-1",
      AWS_ACCESS_KEY_ID: "AKIDFROMENV",
      AWS_SECRET_ACCESS_KEY: "secretfromenv",
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL: "http://127.0.0.1:1",
      AWS_CONFIG_FILE: `${files}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${files}/credentials`,
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(scope(1), ["AKIDFROMENV", "ap-south-1"]);

    // Without AWS_PROFILE: environment keys, and the [default] profile's region.
    r = await runChild({
      AWS_ACCESS_KEY_ID: "AKIDFROMENV",
      AWS_SECRET_ACCESS_KEY: "secretfromenv",
      AWS_ENDPOINT_URL: endpoint,
      AWS_CONFIG_FILE: `${files}/config`,
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(scope(2), ["AKIDFROMENV", "us-west-1"]);

    // No region anywhere but AWS_DEFAULT_REGION.
    r = await runChild({
      AWS_DEFAULT_REGION: "ca-central-1",
      AWS_ACCESS_KEY_ID: "AKIDFROMENV",
      AWS_SECRET_ACCESS_KEY: "secretfromenv",
      AWS_ENDPOINT_URL: endpoint,
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(scope(3), ["AKIDFROMENV", "ca-central-1"]);

    // Nothing configured: us-east-1.
    r = await runChild({
      AWS_ACCESS_KEY_ID: "AKIDFROMENV",
      AWS_SECRET_ACCESS_KEY: "secretfromenv",
      AWS_ENDPOINT_URL: endpoint,
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(scope(4), ["AKIDFROMENV", "us-east-1"]);

    // No credentials at all: AccessDeniedError naming the chain, before any request.
    r = await runChild({ AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1" });
    assert(r.code !== 0);
    assertStringIncludes(r.stderr, "AccessDeniedError");
    assertStringIncludes(r.stderr, "s3://bkt/k");
    assertEquals(auth.length, 5);
  } finally {
    await server.shutdown();
    await Deno.remove(files, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// Against moto (a real S3-compatible server)

function findOnPath(name: string): string | undefined {
  let path: string | undefined;
  try {
    path = Deno.env.get("PATH");
  } catch {
    return undefined;
  }
  for (const dir of (path ?? "").split(":")) {
    if (dir === "") continue;
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

const MOTO = findOnPath("moto_server");

async function startMoto(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command(MOTO!, {
    args: ["-H", "127.0.0.1", "-p", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
  };
  const deadline = Date.now() + 30_000;
  while (true) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      await res.body?.cancel();
      return { endpoint, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`moto_server did not start on ${endpoint}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function compareUtf8(a: string, b: string): number {
  const x = enc.encode(a);
  const y = enc.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

Deno.test({
  name: "s3 store against moto",
  ignore: MOTO === undefined,
  async fn(t) {
    const moto = await startMoto();
    const admin = new S3Client({
      region: "us-east-1",
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
    });
    const tmp = await Deno.makeTempDir({ prefix: "vc_s3_store_test_" });
    const stores: S3Store[] = [];
    const open = (options: Partial<S3StoreOptions> = {}) => {
      const s = new S3Store({
        bucket: "vc-test",
        prefix: "pre",
        endpoint: moto.endpoint,
        region: "us-east-1",
        credentials: CREDENTIALS,
        ...options,
      });
      stores.push(s);
      return s;
    };
    try {
      await admin.send(new CreateBucketCommand({ Bucket: "vc-test" }));
      const store = open();

      await t.step("put / head / get / copy round trip with tricky keys", async () => {
        for (
          const key of [
            "plain.txt",
            "dir/with space.csv",
            "ünï/日本語 + % ~ =.bin",
            "emoji/😀",
            "a//b",
          ]
        ) {
          const body = enc.encode(`content of ${key}`);
          const { etag } = await store.put(key, body, {
            metadata: { owner: "vc" },
            contentType: "text/plain",
          });
          assertEquals(etag, md5Hex(body));
          const info = await store.head(key);
          assertEquals(info?.key, key);
          assertEquals(info?.size, body.length);
          assertEquals(info?.etag, etag);
          assertEquals(info?.metadata?.owner, "vc");
          assertEquals(info?.contentType, "text/plain");
          const got = await store.get(key);
          assertEquals(await text(got.body), `content of ${key}`);
          const copied = await store.copy(key, `copies/${key}`);
          assertEquals(copied.etag, etag);
          assertEquals((await store.head(`copies/${key}`))?.metadata?.owner, "vc");
        }
        assertEquals(await store.head("nope"), undefined);
        await assertRejects(() => store.get("nope"), NotFoundError, "s3://vc-test/pre/nope");
        await assertRejects(() => store.copy("nope", "x"), NotFoundError, "s3://vc-test/pre/nope");
      });

      await t.step("conditional writes and reads", async () => {
        const first = await store.put("cond", enc.encode("v1"), { ifNoneMatch: "*" });
        await assertRejects(
          () => store.put("cond", enc.encode("v2"), { ifNoneMatch: "*" }),
          PreconditionFailedError,
          "s3://vc-test/pre/cond",
        );
        await assertRejects(
          () => store.put("cond", enc.encode("v2"), { ifMatch: md5Hex("other") }),
          PreconditionFailedError,
        );
        // S3 answers 404 to If-Match on a missing key; for compare-and-swap that is a failed precondition.
        await assertRejects(
          () => store.put("cond-missing", enc.encode("v1"), { ifMatch: first.etag }),
          PreconditionFailedError,
          "does not exist",
        );
        const second = await store.put("cond", enc.encode("v2"), { ifMatch: first.etag });
        assertEquals(second.etag, md5Hex("v2"));
        await assertRejects(
          () => store.get("cond", { ifNoneMatch: second.etag }),
          NotModifiedError,
        );
        await assertRejects(
          () => store.get("cond", { ifMatch: first.etag }),
          PreconditionFailedError,
        );
        assertEquals(await text((await store.get("cond", { ifMatch: second.etag })).body), "v2");
        await assertRejects(
          () => store.copy("cond", "plain.txt", { ifNoneMatch: "*" }),
          PreconditionFailedError,
        );
        const copied = await store.copy("cond", "cond-copy", { ifNoneMatch: "*" });
        assertEquals(copied.etag, second.etag);
      });

      await t.step("ranged GET is one request with the whole size in info", async () => {
        await store.put("range", enc.encode("0123456789"));
        const r = await store.get("range", { range: { start: 3, end: 5 } });
        assertEquals(await text(r.body), "345");
        assertEquals(r.info.size, 10);
        assertEquals(await text((await store.get("range", { range: { start: 7 } })).body), "789");
        // S3 clamps an end past the last byte.
        assertEquals(
          await text((await store.get("range", { range: { start: 8, end: 99 } })).body),
          "89",
        );
        await assertRejects(() => store.get("range", { range: { start: 10 } }), InvalidInputError);
      });

      await t.step("list pages past 1000, respects prefix boundaries and startAfter", async () => {
        const keys = Array.from({ length: 1050 }, (_, i) => `many/${String(i).padStart(4, "0")}`);
        await pool(keys, 32, (k) => store.put(k, enc.encode(k)));
        // A sibling prefix must not leak into this store's listing.
        await open({ prefix: "pre2" }).put("many/0000", enc.encode("other store"));
        await open({ prefix: "" }).put("pre-not-a-child", enc.encode("x"));
        const listed = await collect(store.list("many/"));
        assertEquals(listed.length, 1050);
        assertEquals(listed.map((o) => o.key), keys);
        assertEquals(listed[5]!.etag, md5Hex(keys[5]!));
        assertEquals(listed[5]!.size, keys[5]!.length);
        assert(listed[5]!.lastModified instanceof Date);
        const after = await collect(store.list("many/", { startAfter: "many/1040" }));
        assertEquals(after.map((o) => o.key), keys.slice(1041));
        const all = await collect(store.list(""));
        assert(all.every((o) => !o.key.startsWith("pre")), "keys are relative to the prefix");
        assert(all.some((o) => o.key === "a//b"));
        // UTF-8 byte order, as S3 returns it.
        const sorted = [...all.map((o) => o.key)].sort(compareUtf8);
        assertEquals(all.map((o) => o.key), sorted);
        const root = await collect(open({ prefix: "" }).list("pre/ü"));
        assertEquals(root.map((o) => o.key), ["pre/ünï/日本語 + % ~ =.bin"]);
      });

      await t.step("delete in batches of 1000, missing keys are fine", async () => {
        const keys = (await collect(store.list("many/"))).map((o) => o.key);
        await store.delete([...keys, "many/does-not-exist"]);
        assertEquals((await collect(store.list("many/"))).length, 0);
        assertEquals((await collect(open({ prefix: "pre2" }).list("many/"))).length, 1);
      });

      await t.step("multipart upload of a ~40 MiB file from {path}", async () => {
        const path = `${tmp}/big.bin`;
        const size = 40 * 1024 * 1024 + 12345;
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i += 4096) data[i] = (i * 7919) & 0xff;
        await Deno.writeFile(path, data);
        const partSize = 16 * 1024 * 1024;
        const partMd5s: string[] = [];
        for (let off = 0; off < size; off += partSize) {
          partMd5s.push(md5Hex(data.subarray(off, Math.min(size, off + partSize))));
        }
        const whole = await md5File(path);
        const progress: number[] = [];
        const { etag } = await store.put("big.bin", { path }, {
          md5: whole,
          contentType: "application/x-test",
          ifNoneMatch: "*",
          onProgress: (n) => progress.push(n),
        });
        assertEquals(etag, multipartEtag(partMd5s));
        assertEquals(progress.at(-1), size);
        const info = await store.head("big.bin");
        assertEquals(info?.size, size);
        assertEquals(info?.etag, etag);
        assertEquals(info?.metadata?.["vc-md5"], whole);
        assertEquals(info?.contentType, "application/x-test");
        const back = new Uint8Array(
          await new Response((await store.get("big.bin")).body).arrayBuffer(),
        );
        assertEquals(md5Hex(back), whole);
        // Conditional completion: the key now exists.
        await assertRejects(
          () => store.put("big.bin", { path }, { ifNoneMatch: "*" }),
          PreconditionFailedError,
        );
        const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: "vc-test" }));
        assertEquals(uploads.Uploads ?? [], [], "failed upload was aborted");
      });

      await t.step("multipart upload from a stream of unknown size, bounded parts", async () => {
        const small = open({
          multipartThreshold: 5 * 1024 * 1024,
          partSize: 5 * 1024 * 1024,
          concurrency: 3,
        });
        const chunk = new Uint8Array(1024 * 1024 + 17).map((_, i) => i & 0xff);
        const count = 13;
        const expected = new Uint8Array(chunk.length * count);
        for (let i = 0; i < count; i++) expected.set(chunk, i * chunk.length);
        let produced = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (produced++ < count) controller.enqueue(chunk.slice());
            else controller.close();
          },
        });
        const { etag } = await small.put("streamed.bin", stream, { md5: md5Hex(expected) });
        const parts: string[] = [];
        for (let off = 0; off < expected.length; off += 5 * 1024 * 1024) {
          parts.push(md5Hex(expected.subarray(off, off + 5 * 1024 * 1024)));
        }
        assertEquals(etag, multipartEtag(parts));
        const head = await admin.send(
          new HeadObjectCommand({ Bucket: "vc-test", Key: "pre/streamed.bin" }),
        );
        assertEquals(head.ContentLength, expected.length);
        assertEquals(head.Metadata?.["vc-md5"], md5Hex(expected));
        // Small streams take the single-PUT path.
        const tiny = await small.put(
          "tiny-stream",
          ReadableStream.from([enc.encode("ab"), enc.encode("c")]),
        );
        assertEquals(tiny.etag, md5Hex("abc"));
      });

      await t.step("a failing stream aborts its multipart upload", async () => {
        const small = open({ multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 12 * 1024 * 1024) {
              controller.error(new Error("disk on fire"));
              return;
            }
            sent += 1024 * 1024;
            controller.enqueue(new Uint8Array(1024 * 1024));
          },
        });
        await assertRejects(() => small.put("broken.bin", stream), Error, "disk on fire");
        const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: "vc-test" }));
        assertEquals(uploads.Uploads ?? [], []);
        assertEquals(await small.head("broken.bin"), undefined);
        // A wrong declared size is caught before completion, and aborted too.
        await assertRejects(
          () =>
            small.put("sized.bin", ReadableStream.from([new Uint8Array(6 * 1024 * 1024)]), {
              size: 7 * 1024 * 1024,
            }),
          IntegrityError,
        );
        assertEquals(
          (await admin.send(new ListMultipartUploadsCommand({ Bucket: "vc-test" }))).Uploads ?? [],
          [],
        );
      });

      await t.step("Uint8Array bodies above the threshold go multipart", async () => {
        const small = open({ multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
        const bytes = new Uint8Array(11 * 1024 * 1024).fill(7);
        const { etag } = await small.put("bytes.bin", bytes);
        assertMatch(etag, /-3$/);
        assertEquals((await small.head("bytes.bin"))?.size, bytes.length);
      });

      await t.step("wrong bucket is NotFoundError naming the bucket", async () => {
        const missing = open({ bucket: "no-such-bucket" });
        await assertRejects(() => missing.get("k"), NotFoundError, "no-such-bucket");
        await assertRejects(() => collect(missing.list("")), NotFoundError, "s3://no-such-bucket");
      });
    } finally {
      for (const s of stores) await s.close();
      admin.destroy();
      await moto.stop();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("s3 store: SSE-KMS and SSE-C objects are marked as having opaque ETags", async () => {
  const body = enc.encode("secret");
  const sse: Record<string, HeadersInit> = {
    "a.bin": { "x-amz-server-side-encryption": "aws:kms" },
    "b.bin": { "x-amz-server-side-encryption": "aws:kms:dsse" },
    "c.bin": { "x-amz-server-side-encryption-customer-algorithm": "AES256" },
    "d.bin": { "x-amz-server-side-encryption": "AES256" }, // SSE-S3 keeps MD5 ETags
    "e.bin": {},
  };
  await withServer(
    (req) => objectResponse(body, sse[req.path.split("/").at(-1)!] ?? {}),
    async (store) => {
      const marked: Record<string, boolean> = {};
      for (const key of Object.keys(sse)) {
        const { info, body: stream } = await store.get(key);
        await stream.cancel();
        marked[key] = info.opaqueEtag === true;
        assertEquals((await store.head(key))?.opaqueEtag === true, marked[key], `head ${key}`);
      }
      assertEquals(marked, {
        "a.bin": true,
        "b.bin": true,
        "c.bin": true,
        "d.bin": false,
        "e.bin": false,
      });
    },
  );
});

Deno.test("s3 store: a multipart object's checksum without its type or -N is taken as COMPOSITE", async () => {
  const body = enc.encode("three parts");
  const etag = `"${"ab".repeat(16)}-3"`;
  // moto answers a HEAD so: the composite CRC32 without its `-3`, no x-amz-checksum-type.
  // Taken for the content's CRC32, it failed an intact download.
  await withServer(
    (req) => {
      const headers: Record<string, string> = { etag, "x-amz-checksum-crc32": "re2Mew==" };
      if (req.path.endsWith("full")) {
        headers["x-amz-checksum-type"] = "FULL_OBJECT";
      }
      if (req.path.endsWith("nvme")) {
        return objectResponse(body, { etag, "x-amz-checksum-crc64nvme": "rosUhgp5mIg=" });
      }
      return objectResponse(body, headers);
    },
    async (store) => {
      assertEquals((await store.head("a"))?.checksum?.type, "COMPOSITE");
      assertEquals((await store.head("full"))?.checksum?.type, "FULL_OBJECT");
      // CRC64NVME has no composite form.
      assertEquals((await store.head("nvme"))?.checksum?.type, "FULL_OBJECT");
    },
  );
});
