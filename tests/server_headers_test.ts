/**
 * Issue 10, response headers over real HTTP on 127.0.0.1: served files never
 * run in a browser (nosniff, a sandboxing CSP) while keeping the KBase
 * headers; OPTIONS and 405 name each route's methods; HEAD answers with the
 * headers of GET and no body wherever GET works.
 */
import { assert, assertEquals } from "./assert.ts";
import { md5Hex } from "../src/hash.ts";
import { reprDigest } from "../src/server/repr_digest.ts";
import { newCacheId, rawRequest, startService, upload } from "./server_helpers.ts";

const SECURITY = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
};

/** Response headers without the ones that differ between any two requests. */
function stable(res: Response, drop: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of res.headers) {
    if (!["date", "x-request-id", ...drop].includes(name)) out[name] = value;
  }
  return out;
}

Deno.test("served files carry nosniff and a sandbox CSP besides the KBase headers", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const html = (await newCacheId(t.url, alice, { h: 1 })).doc.cache_id as string;
  const typed = (await newCacheId(t.url, alice, { h: 2 })).doc.cache_id as string;
  const page = "<script>alert(1)</script>";
  assertEquals((await upload(t.url, alice, html, page, "x.html", "text/html")).status, 200);
  assertEquals((await upload(t.url, alice, typed, page, "page.bin", "text/html")).status, 200);
  for (const id of [html, typed]) {
    const url = `${t.url}/v1/cache/${id}`;
    const got = await fetch(url, { headers: { authorization: alice } });
    assertEquals([got.status, await got.text()], [200, page]);
    const etag = got.headers.get("etag")!;
    const expected = {
      ...SECURITY,
      "accept-ranges": "bytes",
      "cache-control": "private, no-cache",
      "content-disposition": id === html
        ? `attachment; filename="x.html"; filename*=UTF-8''x.html`
        : `attachment; filename="page.bin"; filename*=UTF-8''page.bin`,
      "content-length": String(page.length),
      "content-type": id === html ? "text/html; charset=utf-8" : "text/html",
      etag,
    };
    // The whole file's MD5 only with the whole file.
    assertEquals(stable(got), { ...expected, "repr-digest": reprDigest(md5Hex(page)) });
    const part = await fetch(url, { headers: { authorization: alice, range: "bytes=0-7" } });
    assertEquals([part.status, await part.text()], [206, "<script>"]);
    assertEquals(stable(part), {
      ...expected,
      "content-length": "8",
      "content-range": `bytes 0-7/${page.length}`,
    });
    const same = await fetch(url, { headers: { authorization: alice, "if-none-match": etag } });
    assertEquals([same.status, await same.text()], [304, ""]);
    for (const [name, value] of Object.entries(SECURITY)) {
      assertEquals(same.headers.get(name), value, `304 ${name}`);
    }
  }
  // Error answers carry them too.
  const denied = await fetch(`${t.url}/v1/cache/${html}`, {
    headers: { authorization: t.tokens.bob },
  });
  assertEquals(denied.status, 403);
  await denied.body?.cancel();
  for (const [name, value] of Object.entries(SECURITY)) {
    assertEquals(denied.headers.get(name), value, `403 ${name}`);
  }
});

Deno.test("OPTIONS names each route's methods; 405 does too", async () => {
  await using t = await startService({ basePath: "/cache" });
  const id = (await newCacheId(t.url, t.tokens.alice, { o: 1 })).doc.cache_id as string;
  const routes: [string, string][] = [
    ["/", "GET, HEAD, OPTIONS"],
    ["/v1", "GET, HEAD, OPTIONS"],
    ["/healthz", "GET, HEAD, OPTIONS"],
    ["/metrics", "GET, HEAD, OPTIONS"],
    ["/v1/cache_id", "POST, OPTIONS"],
    [`/v1/cache/${id}`, "GET, HEAD, POST, DELETE, OPTIONS"],
    [`/v1/cache/${"0".repeat(128)}`, "GET, HEAD, POST, DELETE, OPTIONS"],
  ];
  for (const [path, allow] of routes) {
    // No Authorization: OPTIONS reveals only the route's methods.
    const res = await fetch(`${t.url}${path}`, { method: "OPTIONS" });
    assertEquals([res.status, await res.text()], [204, ""], path);
    assertEquals(res.headers.get("allow"), allow, path);
    assertEquals(res.headers.get("access-control-allow-origin"), null, path);
    const wrong = await fetch(`${t.url}${path}`, { method: "PATCH", body: "x" });
    assertEquals(wrong.status, 405, path);
    assertEquals((await wrong.json()).status, "error", path);
    assertEquals(wrong.headers.get("allow"), allow, path);
  }
  // `OPTIONS *` (asterisk-form, as curl --request-target '*' sends it) asks
  // about the whole server, under any base path: it was a 404 "no route for /*".
  const { host } = new URL(t.url);
  const server = await rawRequest(
    t.url,
    `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
  assert(/^HTTP\/1\.1 204 /.test(server), server);
  assert(/\r\nallow: GET, HEAD, POST, DELETE, OPTIONS\r\n/i.test(server), server);
  const unknown = await fetch(`${t.url}/v2/nothing`, { method: "OPTIONS" });
  assertEquals(unknown.status, 404);
  assertEquals((await unknown.json()).status, "error");
});

Deno.test("HEAD answers with GET's status and headers and no body, on every GET route", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { head: 1 })).doc.cache_id as string;
  const placeholder = (await newCacheId(t.url, alice, { head: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "0123456789", "ten.csv")).status, 200);
  const auth = { authorization: alice };
  const cases: [string, Record<string, string>, number][] = [
    ["/", {}, 200],
    ["/v1", {}, 200],
    ["/healthz", {}, 200],
    ["/metrics", {}, 200],
    [`/v1/cache/${id}`, auth, 200],
    [`/v1/cache/${id}`, { ...auth, range: "bytes=2-4" }, 206],
    [`/v1/cache/${id}`, { ...auth, range: "bytes=20-" }, 416],
    [`/v1/cache/${placeholder}`, auth, 404],
    [`/v1/cache/${id}`, {}, 400],
    [`/v1/cache/${id}`, { authorization: t.tokens.bob }, 403],
    ["/v1/cache_id", auth, 405],
    ["/nothing", {}, 404],
  ];
  for (const [path, headers, status] of cases) {
    const what = `${path} ${JSON.stringify(headers)}`;
    const get = await fetch(`${t.url}${path}`, { headers });
    const body = new Uint8Array(await get.arrayBuffer());
    const head = await fetch(`${t.url}${path}`, { method: "HEAD", headers });
    assertEquals([get.status, head.status], [status, status], what);
    assertEquals((await head.arrayBuffer()).byteLength, 0, what);
    // The counters of /metrics and the method named by a 405 differ in size.
    const sized = path === "/metrics" || status === 405;
    assertEquals(stable(head, ["content-length"]), stable(get, ["content-length"]), what);
    if (!sized) assertEquals(head.headers.get("content-length"), String(body.length), what);
    assert(head.headers.get("content-length") !== null, `${what}: HEAD has a Content-Length`);
  }
});
