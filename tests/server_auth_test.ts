/**
 * Both auth providers over real HTTP: KBase auth against a fake auth server
 * on 127.0.0.1 (token_id, TTL cache, failures not cached, cross-identity
 * access), and the token file (reload on change, add-token).
 */
import { addToken, KBaseAuth, TokenFileAuth } from "../src/server/auth.ts";
import { cacheId } from "../src/server/cache_id.ts";
import { parsePyJson } from "../src/server/python_json.ts";
import { HttpError } from "../src/server/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import {
  ManualClock,
  newCacheId,
  rawRequest,
  startFakeAuth,
  startService,
  upload,
} from "./server_helpers.ts";

Deno.test("kbase auth: token_id is auth_url:user and IDs match the KBase formula", async () => {
  await using auth = startFakeAuth({ "tok-a": "alice", "tok-b": "bob" });
  const clock = new ManualClock();
  await using t = await startService({ auth: new KBaseAuth({ authUrl: auth.url, clock }) });
  const res = await newCacheId(t.url, "tok-a", { xyz: 123 });
  assertEquals(res.status, 200);
  const meta = res.doc.metadata as Record<string, unknown>;
  assertEquals(meta.token_id, `${auth.url}:alice`);
  assertEquals(res.doc.cache_id, cacheId(`${auth.url}:alice`, parsePyJson('{"xyz": 123}')));
  // Bob gets a different ID for the same body, and cannot touch alice's.
  const bobs = await newCacheId(t.url, "tok-b", { xyz: 123 });
  assert(bobs.doc.cache_id !== res.doc.cache_id);
  const id = res.doc.cache_id as string;
  assertEquals((await upload(t.url, "tok-a", id, "mine")).status, 200);
  for (const method of ["GET", "DELETE"]) {
    const r = await fetch(`${t.url}/v1/cache/${id}`, {
      method,
      headers: { authorization: "tok-b" },
    });
    assertEquals(r.status, 403, method);
    await r.body?.cancel();
  }
  assertEquals((await upload(t.url, "tok-b", id, "theirs")).status, 403);
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: "tok-a" } });
  assertEquals(await got.text(), "mine");
  const bad = await newCacheId(t.url, "wrong", { xyz: 123 });
  assertEquals([bad.status, bad.doc.error], [401, "invalid token"]);
  // HTTP requires a 401 to say which scheme to answer with.
  for (const method of ["GET", "DELETE"]) {
    const r = await fetch(`${t.url}/v1/cache/${id}`, {
      method,
      headers: { authorization: "wrong" },
    });
    assertEquals([r.status, r.headers.get("www-authenticate")], [401, 'Bearer realm="vc"'], method);
    await r.body?.cancel();
  }
});

Deno.test("kbase auth: answers cached for the TTL, failures never cached", async () => {
  await using auth = startFakeAuth({ good: "alice" });
  const clock = new ManualClock();
  const kbase = new KBaseAuth({ authUrl: auth.url, clock, ttlMs: 60_000 });
  assertEquals((await kbase.authenticate("good")).tokenId, `${auth.url}:alice`);
  await kbase.authenticate("good");
  assertEquals(auth.calls, 1);
  // Concurrent lookups of one token share one request.
  clock.advance(60_001);
  await Promise.all([kbase.authenticate("good"), kbase.authenticate("good")]);
  assertEquals(auth.calls, 2);
  // Invalid tokens are asked about every time.
  await assertRejects(() => kbase.authenticate("bad"));
  await assertRejects(() => kbase.authenticate("bad"));
  assertEquals(auth.calls, 4);
  // An auth outage is an error (502 to the client), and not cached either.
  auth.failWith = 503;
  clock.advance(60_001);
  const e = await assertRejects(() => kbase.authenticate("good"));
  assertStringIncludes(e.message, "503");
  auth.failWith = 0;
  assertEquals((await kbase.authenticate("good")).name, "alice");
  assertEquals(auth.calls, 6);
});

Deno.test("kbase auth: an outage is a 502 naming the auth service, a slow one a 504", async () => {
  await using auth = startFakeAuth({ good: "alice" });
  await using t = await startService({
    auth: new KBaseAuth({ authUrl: auth.url, timeoutMs: 300 }),
  });
  auth.failWith = 500;
  const res = await newCacheId(t.url, "good", { a: 1 });
  assertEquals(res.status, 502);
  assertEquals(res.doc.error, "the auth service answered 500");
  assert(!JSON.stringify(res.doc).includes(auth.url), "the auth URL stays out of the answer");
  auth.failWith = 0;
  auth.delayMs = 2_000;
  const slow = await newCacheId(t.url, "good", { a: 1 });
  assertEquals(slow.status, 504);
  assertEquals(slow.doc.error, "the auth service did not answer within 300 ms");
  auth.delayMs = 0;
  assertEquals((await newCacheId(t.url, "good", { a: 1 })).status, 200);
});

Deno.test("kbase auth: the log says which URL failed and why; the answer does not", async () => {
  // A port nothing listens on: bound, then closed.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const down = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/services/auth`;
  listener.close();
  await using auth = startFakeAuth({ good: "alice" });
  for (const [authUrl, fail] of [[down, 0], [auth.url, 500]] as const) {
    auth.failWith = fail;
    await using t = await startService({ auth: new KBaseAuth({ authUrl }) });
    const res = await newCacheId(t.url, "good", { a: 1 });
    assertEquals(res.status, 502);
    assert(!JSON.stringify(res.doc).includes(authUrl), "the auth URL stays out of the answer");
    await t.service.shutdown();
    const line = JSON.parse(t.logs.find((l) => l.includes('"status":502'))!);
    assertStringIncludes(line.error, `: GET ${authUrl}/api/V2/token`);
    if (fail === 0) {
      assertStringIncludes(line.error, "the auth service is unreachable: GET");
      assertStringIncludes(line.error, "onnection refused"); // the cause, as the OS says it
    }
  }
});

Deno.test("token file: reloaded on change; add-token; Bearer accepted", async () => {
  await using t = await startService();
  const carol = await addToken(t.tokenFile, "carol");
  const res = await newCacheId(t.url, carol, { a: 1 });
  assertEquals((res.doc.metadata as Record<string, unknown>).token_id, "token-file:carol");
  const bearer = await newCacheId(t.url, `Bearer ${carol}`, { a: 1 });
  assertEquals(bearer.doc.cache_id, res.doc.cache_id);
  // Revoking a token (rewriting the file without it) takes effect at once.
  const doc = JSON.parse(await Deno.readTextFile(t.tokenFile)) as Record<string, string>;
  const kept = Object.fromEntries(Object.entries(doc).filter(([, name]) => name !== "carol"));
  await Deno.writeTextFile(t.tokenFile, JSON.stringify(kept, null, 1));
  assertEquals((await newCacheId(t.url, carol, { a: 1 })).status, 401);
  assertEquals((await newCacheId(t.url, t.tokens.alice, { a: 1 })).status, 200);
  if (Deno.build.os !== "windows") {
    const dir = await Deno.makeTempDir();
    try {
      await addToken(`${dir}/new.json`, "x");
      assertEquals((await Deno.stat(`${dir}/new.json`)).mode! & 0o777, 0o600);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("token file: malformed file and bad names are clear errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/t.json`, '{"nothex": "a"}');
    const e = await assertRejects(() =>
      new TokenFileAuth({ path: `${dir}/t.json` }).authenticate("x")
    );
    assertStringIncludes(e.message, "t.json");
    const e2 = await assertRejects(() => addToken(`${dir}/u.json`, "bad name!"));
    assertStringIncludes(e2.message, "bad name!");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("token file: half-written keeps the last good tokens; removed revokes all", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tokens.json`;
    const token = await addToken(path, "alice");
    const auth = new TokenFileAuth({ path, onReloadError: () => {} });
    assertEquals((await auth.authenticate(token)).name, "alice");
    await Deno.writeTextFile(path, '{"trunc');
    assertEquals((await auth.authenticate(token)).name, "alice");
    await Deno.remove(path);
    const e = await assertRejects(() => auth.authenticate(token));
    assertEquals((e as unknown as { status: number }).status, 401);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("token file: a broken edit is reported once, naming the file; the last good tokens stay", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tokens.json`;
    const token = await addToken(path, "alice");
    const reports: string[] = [];
    const auth = new TokenFileAuth({ path, onReloadError: (e) => reports.push(e.message) });
    assertEquals((await auth.authenticate(token)).name, "alice");
    const good = await Deno.readTextFile(path);
    // An entry that is not sha256 → name, then text that is not JSON: each
    // version is told once however many requests come, and alice keeps working.
    await Deno.writeTextFile(path, good.replace("{", '{"abc": "bob",'));
    for (let i = 0; i < 3; i++) assertEquals((await auth.authenticate(token)).name, "alice");
    await Deno.writeTextFile(path, '{"trunc');
    for (let i = 0; i < 3; i++) assertEquals((await auth.authenticate(token)).name, "alice");
    assertEquals(reports, [
      `token file ${path}: entry "abc": the key must be the token's SHA-256, 64 lowercase hex digits (as \`printf %s TOKEN | sha256sum\` prints it); keeping the 1 token of its last good version`,
      `invalid JSON in token file ${path} at line 1, column 8: Unterminated string; keeping the 1 token of its last good version`,
    ]);
    // Fixed: read again, and a token added meanwhile works.
    await Deno.writeTextFile(path, good);
    const bob = await addToken(path, "bob");
    assertEquals((await auth.authenticate(bob)).name, "bob");
    assertEquals(reports.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("custom auth: a provider throwing HttpError from ./server answers its status", async () => {
  // AuthProvider promises a 401 for an HttpError; ./server must export it, or
  // a custom provider can only throw errors that are answered as 500s.
  const auth = {
    authenticate: (t: string) =>
      t === "good"
        ? Promise.resolve({ tokenId: "t:good", name: "good" })
        : Promise.reject(new HttpError(401, "invalid token")),
  };
  await using t = await startService({ auth });
  const bad = await newCacheId(t.url, "bad", { xyz: 1 });
  assertEquals(bad.status, 401);
  assertEquals(bad.doc.error, "invalid token");
  assertEquals((await newCacheId(t.url, "good", { xyz: 1 })).status, 200);
});

Deno.test("token file: an empty name, a name that is not a string, and a hash given twice are each named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tokens.json`;
    const hash = "a".repeat(64);
    const cases: [string, string][] = [
      [
        `{"${hash}": ""}`,
        `entry "${hash}": the value must be the identity's name, a non-empty string, not an empty one`,
      ],
      [
        `{"${hash}": 7}`,
        `entry "${hash}": the value must be the identity's name, a non-empty string, not 7`,
      ],
      [
        `{"${hash}": "a",\n "${hash}": "b"}`,
        `token file ${path} at line 2, column 2: the hash "${hash}" is given more than once`,
      ],
    ];
    for (const [text, message] of cases) {
      await Deno.writeTextFile(path, text);
      const auth = new TokenFileAuth({ path });
      const e = await assertRejects(() => auth.authenticate("t"));
      assertStringIncludes((e as Error).message, message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("token file: an Authorization header sent twice is named in the 401, not only 'invalid token'", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  // HTTP joins a repeated header with ", ", as a client sending it twice would have it.
  const twice = await rawRequest(
    t.url,
    `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: ${alice}\r\nauthorization: ${alice}\r\n` +
      `content-type: application/json\r\ncontent-length: 10\r\nconnection: close\r\n\r\n{"a": "b"}`,
  );
  assert(twice.startsWith("HTTP/1.1 401"), twice);
  assertStringIncludes(twice, "was it sent twice? send one");
  // Once, it is taken.
  const once = await newCacheId(t.url, alice, { a: "b" });
  assertEquals(once.status, 200);
  const wrong = await newCacheId(t.url, "not-a-token", { a: "b" });
  assertEquals([wrong.status, wrong.doc.error], [401, "invalid token"]);
});

Deno.test("token file: Basic credentials joined before the token (a URL's user:password@) are named in the 401", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  // What fetch sends for http://u:p@host/… with the token in Authorization.
  const joined = await rawRequest(
    t.url,
    `POST /v1/cache_id HTTP/1.1\r\nhost: x\r\nauthorization: Basic dTpw, ${alice}\r\n` +
      `content-type: application/json\r\ncontent-length: 10\r\nconnection: close\r\n\r\n{"a": "b"}`,
  );
  assert(joined.startsWith("HTTP/1.1 401"), joined);
  assertStringIncludes(joined, `the first with the \\"Basic\\" scheme`);
  assertStringIncludes(joined, "user:password@");
  assert(!joined.includes(alice), joined);
});
