/**
 * The cache service API v1 over real HTTP on 127.0.0.1: every endpoint and
 * every error status of the issue, with token-file auth over an FsStore.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { createHandler } from "../src/server/handler.ts";
import { CacheClient } from "../src/server/client.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { serveCache } from "../src/server/serve.ts";
import { FsStore } from "../src/store/fs.ts";
import { DAY, keys, newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("serve: cache id, placeholder, upload, download, replace, delete", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const first = await newCacheId(t.url, alice, { xyz: 123 });
  assertEquals(first.status, 200);
  const id = first.doc.cache_id as string;
  assertMatch(id, /^[0-9a-f]{128}$/);
  assertEquals(first.doc.status, "ok");
  const meta = first.doc.metadata as Record<string, unknown>;
  assertEquals(meta.filename, "placeholder");
  assertEquals(meta.token_id, "token-file:alice");
  // A string, as the KBase server sends it.
  assertEquals(meta.expiration, String(Math.floor((t.clock.now() + 7 * DAY) / 1000)));
  // The same body (other spacing) gives the same ID.
  const again = await fetch(`${t.url}/v1/cache_id`, {
    method: "POST",
    headers: { authorization: alice, "content-type": "application/json; charset=utf-8" },
    body: '{ "xyz":123 }',
  });
  assertEquals((await again.json()).cache_id, id);

  // A placeholder is 404.
  const missing = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(missing.status, 404);
  assertEquals((await missing.json()).status, "error");

  assertEquals(await upload(t.url, alice, id, "hello world", "result.csv", "text/csv"), {
    status: 200,
    doc: { status: "ok" },
  });
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(got.status, 200);
  assertEquals(await got.text(), "hello world");
  assertEquals(got.headers.get("content-type"), "text/csv; charset=utf-8");
  assertEquals(got.headers.get("content-length"), "11");
  assertStringIncludes(got.headers.get("content-disposition")!, 'filename="result.csv"');
  const etag = got.headers.get("etag")!;
  assertMatch(etag, /^".+"$/);
  assertMatch(got.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);

  // The cache id now reports the file.
  assertEquals(
    ((await newCacheId(t.url, alice, { xyz: 123 })).doc.metadata as Record<string, unknown>)
      .filename,
    "result.csv",
  );

  // Range, suffix range, unsatisfiable range, conditional GET, HEAD.
  const part = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: alice, range: "bytes=6-" },
  });
  assertEquals([part.status, await part.text()], [206, "world"]);
  assertEquals(part.headers.get("content-range"), "bytes 6-10/11");
  const suffix = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: alice, range: "bytes=-5" },
  });
  assertEquals([suffix.status, await suffix.text()], [206, "world"]);
  const bad = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: alice, range: "bytes=50-" },
  });
  assertEquals(bad.status, 416);
  assertEquals((await bad.json()).status, "error");
  const same = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: alice, "if-none-match": etag },
  });
  assertEquals(same.status, 304);
  await same.body?.cancel();
  // If-Match: the file named, or 412 (a resumed download never mixes two files).
  const resumed = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: alice, "if-match": etag!, range: "bytes=6-" },
  });
  assertEquals([resumed.status, await resumed.text()], [206, "world"]);
  for (const other of ['"0123"', `W/${etag}`]) {
    const stale = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: alice, "if-match": other, range: "bytes=6-" },
    });
    assertEquals(stale.status, 412, other);
    assertEquals((await stale.json()).status, "error");
  }
  const head = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "HEAD",
    headers: { authorization: alice },
  });
  assertEquals([head.status, head.headers.get("content-length")], [200, "11"]);

  // Replace: new content, new ETag, and the old data object is gone.
  assertEquals((await upload(t.url, alice, id, "second", "r2.json")).status, 200);
  const replaced = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await replaced.text(), "second");
  assertEquals(replaced.headers.get("content-type"), "application/json");
  assert(replaced.headers.get("etag") !== etag);
  assertEquals((await keys(t.store, "data/")).length, 1);

  const del = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "DELETE",
    headers: { authorization: alice },
  });
  assertEquals([del.status, await del.json()], [200, { status: "ok" }]);
  const gone = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(gone.status, 404);
  await gone.body?.cancel();
  assertEquals(await keys(t.store, "data/"), []);
  assertEquals(await keys(t.store, "meta/"), []);
});

Deno.test("serve: error statuses are JSON with the issue's codes", async () => {
  await using t = await startService({ maxUploadBytes: 1000 });
  const { alice, bob } = t.tokens;
  const id = (await newCacheId(t.url, alice, { a: 1 })).doc.cache_id as string;
  const json = { "content-type": "application/json" };
  const cases: [string, RequestInit & { path?: string }, number, string][] = [
    ["missing Authorization", { method: "POST", headers: json, body: "{}" }, 400, "Authorization"],
    [
      "wrong Content-Type",
      {
        method: "POST",
        headers: { authorization: alice, "content-type": "text/plain" },
        body: "{}",
      },
      400,
      "Content-Type",
    ],
    [
      "malformed JSON",
      { method: "POST", headers: { ...json, authorization: alice }, body: '{"a":' },
      400,
      "malformed JSON",
    ],
    [
      "non-object JSON",
      { method: "POST", headers: { ...json, authorization: alice }, body: "[1]" },
      400,
      "object",
    ],
    [
      "empty JSON object",
      { method: "POST", headers: { ...json, authorization: alice }, body: "{}" },
      400,
      "empty",
    ],
    [
      "empty body",
      { method: "POST", headers: { ...json, authorization: alice }, body: "" },
      400,
      "no JSON body",
    ],
    [
      "invalid token",
      { method: "POST", headers: { ...json, authorization: "nope" }, body: '{"a":1}' },
      401,
      "invalid token",
    ],
    ["unknown route", { path: "/v2/nothing" }, 404, "no route"],
    ["wrong method", { path: "/v1/cache_id", method: "GET" }, 405, "not allowed"],
    [
      "wrong method on cache",
      { path: `/v1/cache/${id}`, method: "PUT", body: "x" },
      405,
      "not allowed",
    ],
    [
      "unknown id",
      { path: `/v1/cache/${"0".repeat(128)}`, headers: { authorization: alice } },
      404,
      "not found",
    ],
    [
      "garbage id",
      { path: "/v1/cache/..%2F..%2Fetc", headers: { authorization: alice } },
      404,
      "not found",
    ],
    [
      "another identity's GET",
      { path: `/v1/cache/${id}`, headers: { authorization: bob } },
      403,
      "another identity",
    ],
    [
      "another identity's DELETE",
      { path: `/v1/cache/${id}`, method: "DELETE", headers: { authorization: bob } },
      403,
      "another identity",
    ],
    [
      "upload without multipart",
      {
        path: `/v1/cache/${id}`,
        method: "POST",
        headers: { ...json, authorization: alice },
        body: "{}",
      },
      400,
      "multipart/form-data",
    ],
  ];
  for (const [what, init, status, message] of cases) {
    const res = await fetch(`${t.url}${init.path ?? "/v1/cache_id"}`, init);
    assertEquals(res.status, status, what);
    const doc = await res.json();
    assertEquals(doc.status, "error", what);
    assertStringIncludes(doc.error, message, what);
    if (status === 405) assert(res.headers.get("allow") !== null, what);
  }
  // Bob cannot overwrite alice's entry either, and it is unchanged.
  const overwrite = await upload(t.url, bob, id, new Uint8Array(900).fill(66));
  assertEquals(overwrite.status, 403);
  assertEquals(await keys(t.store, "data/"), []);
  // A 500 says only the request id; the details stay in the log.
  const logs = t.logs.map((l) => JSON.parse(l));
  assert(logs.every((l) => typeof l.request_id === "string" && typeof l.ms === "number"));
  for (const token of [alice, bob]) assert(!t.logs.join("\n").includes(token), "token logged");
});

Deno.test("serve: malformed multipart bodies are 400, oversized ones 413", async () => {
  await using t = await startService({ maxUploadBytes: 1000 });
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { a: 1 })).doc.cache_id as string;
  const post = (body: BodyInit, type: string) =>
    fetch(`${t.url}/v1/cache/${id}`, {
      method: "POST",
      headers: { authorization: alice, "content-type": type },
      body,
    });
  const cases: [string, BodyInit, string, number, string][] = [
    ["no boundary", "x", "multipart/form-data", 400, "boundary"],
    ["no delimiter", "just text", "multipart/form-data; boundary=XX", 400, "delimiter"],
    [
      "no file field",
      '--XX\r\nContent-Disposition: form-data; name="other"\r\n\r\nv\r\n--XX--\r\n',
      "multipart/form-data; boundary=XX",
      400,
      '"file"',
    ],
    [
      "no filename",
      '--XX\r\nContent-Disposition: form-data; name="file"\r\n\r\nv\r\n--XX--\r\n',
      "multipart/form-data; boundary=XX",
      400,
      "filename",
    ],
    [
      "filename too long",
      `--XX\r\nContent-Disposition: form-data; name="file"; filename="${
        "a".repeat(2000)
      }"\r\n\r\nv\r\n--XX--\r\n`,
      "multipart/form-data; boundary=XX",
      400,
      "more than the 1024 allowed",
    ],
    [
      "bad part header",
      "--XX\r\nnot a header\r\n\r\nv\r\n--XX--\r\n",
      "multipart/form-data; boundary=XX",
      400,
      "header",
    ],
    [
      "file without closing delimiter",
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nvalue',
      "multipart/form-data; boundary=XX",
      400,
      "cut off",
    ],
  ];
  for (const [what, body, type, status, message] of cases) {
    const res = await post(body, type);
    assertEquals(res.status, status, what);
    assertStringIncludes((await res.json()).error, message, what);
  }
  // Over the limit by Content-Length, and while streaming (no Content-Length).
  const big = new Uint8Array(1_200_000);
  assertEquals((await upload(t.url, alice, id, big)).status, 413);
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(5000)]), "big.bin");
  const encoded = new Response(form); // one encoding: its boundary and its bytes
  const type = encoded.headers.get("content-type")!;
  const framed = new Uint8Array(await encoded.arrayBuffer());
  const streamed = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: alice, "content-type": type },
    body: ReadableStream.from([framed.subarray(0, 2000), framed.subarray(2000)]),
  });
  assertEquals(streamed.status, 413);
  assertStringIncludes((await streamed.json()).error, "1000");
  // Nothing partial was stored; the placeholder is intact.
  assertEquals(await keys(t.store, "data/"), []);
  const meta = (await newCacheId(t.url, alice, { a: 1 })).doc.metadata as Record<string, unknown>;
  assertEquals(meta.filename, "placeholder");
});

Deno.test("serve: a cut-off upload leaves the previous file and no partial object", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { a: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "original")).status, 200);
  const before = await keys(t.store, "data/");
  const boundary = "BOUNDARY";
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="new.txt"\r\n\r\n`,
  );
  const abort = new AbortController();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 0) controller.enqueue(head);
      else if (sent < 20) controller.enqueue(new Uint8Array(64 * 1024).fill(65));
      else {
        // Give the server time to receive what was sent, then cut the connection.
        await new Promise((r) => setTimeout(r, 50));
        abort.abort();
        controller.error(new Error("cut"));
      }
      sent++;
    },
  });
  await fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: alice, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
    signal: abort.signal,
  }).then((r) => r.body?.cancel(), () => {});
  // The server finishes the failed request on its own time; wait (bounded) for its log line.
  for (let i = 0; i < 200 && !t.logs.some((l) => JSON.parse(l).status >= 400); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const failed = t.logs.map((l) => JSON.parse(l)).find((l) => l.status >= 400);
  assertEquals([failed?.method, failed?.status], ["POST", 400]);
  assertStringIncludes(failed.error, "cut off");
  assert(failed.bytes_in > 64 * 1024, "the server received part of the file");
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await got.text(), "original");
  assertEquals(await keys(t.store, "data/"), before);
});

Deno.test("serve: expiry of placeholders and files, refresh on download", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { job: 1 })).doc.cache_id as string;
  t.clock.advance(7 * DAY + 1);
  // The expired placeholder is 404 at access time and removed.
  assertEquals((await upload(t.url, alice, id, new Uint8Array(3 << 20))).status, 404);
  assertEquals(await keys(t.store, "meta/"), []);
  assertEquals(await keys(t.store, "data/"), [], "the refused upload's data is gone");
  // A new cache_id request reserves it again.
  assertEquals((await newCacheId(t.url, alice, { job: 1 })).doc.cache_id, id);
  assertEquals((await upload(t.url, alice, id, "data")).status, 200);
  // 20 days later a download refreshes the 30-day window...
  await t.clock.advance(20 * DAY);
  const hit = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await hit.text(), "data");
  const meta = (await newCacheId(t.url, alice, { job: 1 })).doc.metadata as Record<string, string>;
  assertEquals(meta.expiration, String(Math.floor((t.clock.now() + 30 * DAY) / 1000)));
  // Within a day of that refresh a download writes nothing; past a day it moves the window.
  const expirationAfter = async (ms: number) => {
    t.clock.advance(ms);
    const res = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
    assertEquals(await res.text(), "data");
    const doc = (await newCacheId(t.url, alice, { job: 1 })).doc;
    return (doc.metadata as Record<string, string>).expiration;
  };
  assertEquals(await expirationAfter(DAY - 1000), meta.expiration);
  assertEquals(
    await expirationAfter(2000),
    String(Math.floor((t.clock.now() + 30 * DAY) / 1000)),
  );
  // ...so 20 more days is fine, but 31 idle days expire it.
  await t.clock.advance(20 * DAY);
  const still = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(still.status, 200);
  await still.body?.cancel();
  t.clock.advance(31 * DAY);
  const expired = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(expired.status, 404);
  assertEquals((await expired.json()).error, "Cache ID not found");
  assertEquals(await keys(t.store, "data/"), []);
  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  assertStringIncludes(metrics, "vc_serve_expired_removed_total 2");
  assertStringIncludes(metrics, "vc_serve_cache_misses_total 1");
  assertStringIncludes(metrics, "vc_serve_cache_hits_total 4");
});

Deno.test("serve: sweep removes expired entries and orphaned data", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const keep = (await newCacheId(t.url, alice, { k: 1 })).doc.cache_id as string;
  const drop = (await newCacheId(t.url, alice, { k: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, drop, "x")).status, 200);
  // An orphan: data no metadata points to (an upload cut off by a crash).
  await t.store.put(`data/${keep}/${crypto.randomUUID()}`, new Uint8Array([1]));
  t.clock.advance(6 * DAY);
  assertEquals((await upload(t.url, alice, keep, "y")).status, 200);
  t.clock.advance(25 * DAY);
  const result = await t.service.handler.entries.sweep();
  assertEquals(result, {
    scanned: 2,
    removed: 1,
    freedBytes: 1,
    bytesRemoved: 1,
    orphansRemoved: 1,
    uploadsAborted: 0,
  });
  assertEquals((await keys(t.store, "meta/")).length, 1);
  assertEquals((await keys(t.store, "data/")).length, 1);
});

Deno.test("serve: usage recount rewrites every identity's usage from the entries", async () => {
  await using t = await startService({ maxBytesPerIdentity: 1000 });
  const { alice, bob } = t.tokens;
  const a = (await newCacheId(t.url, alice, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, a, new Uint8Array(300))).status, 200);
  const b = (await newCacheId(t.url, bob, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, bob, b, new Uint8Array(200))).status, 200);
  // Drift: usage objects that disagree with the entries (e.g. after a crash).
  const usageKeys = await keys(t.store, "usage/");
  assertEquals(usageKeys.length, 2);
  for (const key of usageKeys) {
    const { body } = await t.store.get(key);
    const doc = JSON.parse(await new Response(body).text());
    await t.store.put(key, new TextEncoder().encode(JSON.stringify({ ...doc, bytes: 999 })));
  }
  assertEquals((await upload(t.url, alice, a, new Uint8Array(600))).status, 413);
  // Bob's entry goes away behind the service's back; the recount sees it.
  await t.store.delete([`meta/${b}.json`]);
  const result = await t.service.handler.entries.sweep({ recountUsage: true });
  assertEquals(result.identities, 2);
  assertEquals((await upload(t.url, alice, a, new Uint8Array(600))).status, 200);
  const c = (await newCacheId(t.url, bob, { n: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, bob, c, new Uint8Array(1000))).status, 200);
});

Deno.test("serve: shutdown finishes the upload in flight, then stops", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { slow: 1 })).doc.cache_id as string;
  const head = new TextEncoder().encode(
    '--Z\r\nContent-Disposition: form-data; name="file"; filename="s.txt"\r\n\r\nfirst half ',
  );
  const { promise: release, resolve } = Promise.withResolvers<void>();
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step++ === 0) return controller.enqueue(head);
      await release;
      controller.enqueue(new TextEncoder().encode("second half\r\n--Z--\r\n"));
      controller.close();
    },
  });
  const response = fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: alice, "content-type": "multipart/form-data; boundary=Z" },
    body,
  });
  // Wait (bounded) until the server is serving the upload.
  const inFlight = () => /vc_serve_in_flight_requests 1\b/.test(t.service.handler.metrics.render());
  for (let i = 0; i < 500 && !inFlight(); i++) await new Promise((r) => setTimeout(r, 10));
  assert(inFlight(), "the upload reached the server");
  let stopped = false;
  const shutdown = t.service.shutdown().then(() => (stopped = true));
  // While draining, new requests are turned away and shutdown waits.
  const turnedAway = await fetch(`${t.url}/healthz`);
  assertEquals([turnedAway.status, (await turnedAway.json()).status], [503, "error"]);
  assertEquals(turnedAway.headers.get("retry-after"), "5");
  assert(turnedAway.headers.has("x-request-id"));
  assert(!stopped, "shutdown waits for the request in flight");
  resolve();
  const res = await response;
  assertEquals([res.status, await res.json()], [200, { status: "ok" }]);
  await shutdown;
  const stored = await t.store.get(`meta/${id}.json`);
  assertEquals(JSON.parse(await new Response(stored.body).text()).filename, "s.txt");
  const refused = await fetch(`${t.url}/healthz`).then(() => false, () => true);
  assert(refused, "no new connections after shutdown");
  assert(t.logs.some((l) => JSON.parse(l).status === 200 && JSON.parse(l).method === "POST"));
  // The request turned away has its log line too, like every request.
  assert(
    t.logs.some((l) => JSON.parse(l).status === 503 && JSON.parse(l).route === "/healthz"),
    t.logs.join("\n"),
  );
  assertStringIncludes(
    t.service.handler.metrics.render(),
    'route="/healthz",status="503"',
  );
});

Deno.test("serve: shutdown is not held by connections their clients leave open", async () => {
  const t = await startService({ maxUploadBytes: 10 });
  const conns: Deno.Conn[] = [];
  try {
    const { alice } = t.tokens;
    const id = (await newCacheId(t.url, alice, { open: 1 })).doc.cache_id as string;
    const { hostname, port } = new URL(t.url);
    const enc = new TextEncoder();
    // An upload refused by its Content-Length (413) whose client sends no
    // body and keeps the connection (which held Deno's graceful shutdown),
    // and a kept-alive connection left idle (which did not).
    for (
      const head of [
        `POST /v1/cache/${id} HTTP/1.1\r\nhost: x\r\nauthorization: ${alice}\r\n` +
        `content-type: multipart/form-data; boundary=Z\r\ncontent-length: 10000000\r\n\r\n`,
        "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n",
      ]
    ) {
      const conn = await Deno.connect({ hostname, port: Number(port) });
      conns.push(conn);
      await conn.write(enc.encode(head));
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf); // answered: the request is no longer in flight
      assert(
        n !== null && /^HTTP\/1.1 (413|200)/.test(new TextDecoder().decode(buf.subarray(0, n))),
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      t.service.shutdown().then(() => "stopped"),
      new Promise<string>((r) => timer = setTimeout(() => r("still waiting"), 5_000)),
    ]);
    clearTimeout(timer);
    assertEquals(outcome, "stopped");
  } finally {
    for (const conn of conns) conn.close();
    await t[Symbol.asyncDispose]();
  }
});

Deno.test("serve: base path, root, /v1, healthz, metrics and logs", async () => {
  await using t = await startService({ basePath: "/cache/" });
  assert(t.url.endsWith("/cache"));
  const { alice } = t.tokens;
  for (const path of ["/", "/v1"]) {
    const doc = await (await fetch(`${t.url}${path}`)).json();
    assert("POST /v1/cache_id" in doc.endpoints, path);
  }
  assertEquals(await (await fetch(`${t.url}/healthz`)).json(), { status: "ok" });
  const outside = await fetch(`${t.url.replace("/cache", "")}/v1/cache_id`, { method: "POST" });
  assertEquals(outside.status, 404);
  await outside.body?.cancel();
  const id = (await newCacheId(t.url, alice, { a: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "abc")).status, 200);
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await got.text(), "abc");
  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  assertStringIncludes(
    metrics,
    'vc_serve_requests_total{method="GET",route="/v1/cache/{id}",status="200"} 1',
  );
  // The log line is written once the body is sent: wait for it (bounded).
  const isDownload = (l: { method: string; route: string }) =>
    l.method === "GET" && l.route === "/v1/cache/{id}";
  for (let i = 0; i < 200 && !t.logs.some((l) => isDownload(JSON.parse(l))); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const lines = t.logs.map((l) => JSON.parse(l));
  const download = lines.find(isDownload);
  assertEquals(download.status, 200);
  assertEquals(download.bytes_out, 3);
  assertEquals(download.identity, "alice");
  // bytes_in: the whole request body, JSON and multipart alike.
  const reserved = lines.find((l) => l.route === "/v1/cache_id" && l.status === 200);
  assertEquals(reserved.bytes_in, JSON.stringify({ a: 1 }).length);
  const uploaded = lines.find((l) => l.method === "POST" && l.route === "/v1/cache/{id}");
  assert(uploaded.bytes_in > 3 + 2 * 40, `multipart body counted whole: ${uploaded.bytes_in}`);
  assert(!t.logs.join("\n").includes(alice));
});

Deno.test("serve: made-up methods share one metrics label (the counters stay bounded)", async () => {
  await using t = await startService();
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${t.url}/healthz`, { method: `M${i}${"X".repeat(500)}` });
    assertEquals(res.status, 405);
    await res.body?.cancel();
  }
  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  assertStringIncludes(
    metrics,
    'vc_serve_requests_total{method="other",route="/healthz",status="405"} 20',
  );
  assert(!metrics.includes("XXXX"), "no label holds a made-up method");
});

Deno.test("serve: quota per identity is 413 past the cap", async () => {
  await using t = await startService({ maxBytesPerIdentity: 100 });
  const { alice, bob } = t.tokens;
  const a = (await newCacheId(t.url, alice, { n: 1 })).doc.cache_id as string;
  const b = (await newCacheId(t.url, alice, { n: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, a, new Uint8Array(60))).status, 200);
  const over = await upload(t.url, alice, b, new Uint8Array(50));
  assertEquals(over.status, 413);
  assertStringIncludes(over.doc.error as string, "quota");
  // Replacing a file counts only the difference; bob has his own quota.
  assertEquals((await upload(t.url, alice, a, new Uint8Array(90))).status, 200);
  const c = (await newCacheId(t.url, bob, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, bob, c, new Uint8Array(90))).status, 200);
  // Deleting frees the space.
  await (await fetch(`${t.url}/v1/cache/${a}`, {
    method: "DELETE",
    headers: { authorization: alice },
  })).body?.cancel();
  assertEquals((await upload(t.url, alice, b, new Uint8Array(50))).status, 200);
  assertEquals((await keys(t.store, "data/")).length, 2);
});

Deno.test("serve: filenames as browsers and Python requests encode them", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { f: 1 })).doc.cache_id as string;
  // urllib3 2.x (requests) and browsers: `"` as %22, UTF-8 raw; old browsers
  // send a Windows path, of which the base name is kept.
  const body =
    '--Q\r\nContent-Disposition: form-data; name="file"; filename="C:\\x\\we%22ird ümlaut.tsv"\r\n' +
    "Content-Type: text/tab-separated-values\r\n\r\na\tb\r\n--Q--\r\n";
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: alice, "content-type": "multipart/form-data; boundary=Q" },
    body,
  });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await got.text(), "a\tb");
  const disposition = got.headers.get("content-disposition")!;
  const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)![1]!;
  assertEquals(decodeURIComponent(encoded), 'we"ird ümlaut.tsv');
  assertEquals(got.headers.get("content-type"), "text/tab-separated-values; charset=utf-8");
});

Deno.test("serveCache: a port in use is an InvalidInputError naming host and port", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const dir = await Deno.makeTempDir();
  try {
    const e = await assertRejects(
      () =>
        serveCache({
          store: new FsStore(dir),
          port,
          log: () => {},
          sweepIntervalMs: 0,
          auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, `cannot listen on 127.0.0.1:${port}`);
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: concurrent DELETEs of one file free its space once", async () => {
  await using t = await startService({ maxBytesPerIdentity: 100 });
  const { alice } = t.tokens;
  for (let round = 0; round < 3; round++) {
    const a = (await newCacheId(t.url, alice, { round, n: 1 })).doc.cache_id as string;
    const b = (await newCacheId(t.url, alice, { round, n: 2 })).doc.cache_id as string;
    assertEquals((await upload(t.url, alice, a, new Uint8Array(60))).status, 200);
    assertEquals((await upload(t.url, alice, b, new Uint8Array(30))).status, 200);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const res = await fetch(`${t.url}/v1/cache/${b}`, {
          method: "DELETE",
          headers: { authorization: alice },
        });
        await res.body?.cancel();
        return res.status;
      }),
    );
    assertEquals(statuses.filter((s) => s === 200).length, 1, `statuses ${statuses}`);
    assert(statuses.every((s) => s === 200 || s === 404), `statuses ${statuses}`);
    // 60 bytes are still stored: 50 more would pass the cap of 100.
    const c = (await newCacheId(t.url, alice, { round, n: 3 })).doc.cache_id as string;
    assertEquals((await upload(t.url, alice, c, new Uint8Array(50))).status, 413);
    for (const id of [a, c]) {
      await (await fetch(`${t.url}/v1/cache/${id}`, {
        method: "DELETE",
        headers: { authorization: alice },
      })).body?.cancel();
    }
  }
});

Deno.test("serve: an expired file found by many downloads and a sweep at once is counted off once", async () => {
  await using t = await startService({ maxBytesPerIdentity: 100 });
  const { alice } = t.tokens;
  const a = (await newCacheId(t.url, alice, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, a, new Uint8Array(60))).status, 200);
  await t.clock.advance(20 * DAY);
  const b = (await newCacheId(t.url, alice, { n: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, b, new Uint8Array(30))).status, 200);
  await t.clock.advance(11 * DAY); // a: 31 days without use, past the 30; b: 11
  const statuses = await Promise.all([
    ...Array.from({ length: 6 }, async () => {
      const res = await fetch(`${t.url}/v1/cache/${a}`, { headers: { authorization: alice } });
      await res.body?.cancel();
      return res.status;
    }),
    t.service.handler.entries.sweep().then(() => 0),
  ]);
  assert(statuses.every((s) => s === 404 || s === 0), `statuses ${statuses}`);
  // 30 bytes stored: 71 more pass the cap of 100, 70 do not.
  const c = (await newCacheId(t.url, alice, { n: 3 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, c, new Uint8Array(71))).status, 413);
  assertEquals((await upload(t.url, alice, c, new Uint8Array(70))).status, 200);
  assertEquals((await keys(t.store, "data/")).length, 2);
});

Deno.test("library: missing required options are InvalidInputError at the call, and serveCache rejects, never throws", async () => {
  const auth = { authenticate: () => Promise.reject(new Error("unused")) };
  await using store = new MemoryStore();
  // serveCache returns a promise: a refused option rejects it (a `.catch()` sees it).
  for (
    const options of [{ store, auth, prot: 0 }, { store, port: 0 }, { auth, port: 0 }]
  ) {
    let promise: Promise<unknown> | undefined;
    try {
      promise = serveCache(options as never);
    } catch (e) {
      throw new Error(`serveCache(${Object.keys(options)}) threw synchronously: ${e}`);
    }
    await assertRejects(() => promise!, InvalidInputError);
  }
  // A handler without auth or store failed every request with a 500.
  assertThrows(() => createHandler({ store } as never), InvalidInputError, "option auth");
  assertThrows(() => createHandler({ auth } as never), InvalidInputError, "option store");
  // `url: Deno.env.get("VC_CACHE_URL")!` with the variable unset: no TypeError from inside.
  assertThrows(
    () => new CacheClient({ url: undefined, token: "t" } as never),
    InvalidInputError,
    "option url must be a non-empty string, got undefined",
  );
  assertThrows(
    () => new CacheClient({ url: "http://127.0.0.1:1", token: undefined } as never),
    InvalidInputError,
    "option token",
  );
});
