/**
 * What a failed answer's error says. A service or proxy that echoes the
 * Authorization header back ("Invalid token …", a page titled with it) put
 * the token into the error, so into terminals and CI logs: it shows as `***`.
 * A refusal (401, 403, 400) named the request but not the service, which
 * came from VC_CACHE_URL out of sight: it names both. A request retried to
 * the end said "(gave up after 5 attempts)" twice, once without the URL.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

const ID = "a".repeat(128);
const TOKEN = "s3cr3t-token-0123456789";

/** A server answering every request with `answer(authorization)`. */
function echoing(answer: (authorization: string) => Response) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return answer(req.headers.get("authorization") ?? "");
  });
}

const ECHOES: [string, (auth: string) => Response][] = [
  [
    "a JSON error",
    (auth) => Response.json({ status: "error", error: `bad ${auth}` }, { status: 401 }),
  ],
  ["an HTML page", (auth) =>
    new Response(`<html><title>Denied: ${auth}</title></html>`, {
      status: 403,
      headers: { "content-type": "text/html" },
    })],
  ["plain text", (auth) => new Response(`proxy: no upstream for ${auth}`, { status: 400 })],
];

Deno.test("cache client: a token the server echoes back is not in the error", async () => {
  for (const [kind, answer] of ECHOES) {
    await using server = echoing(answer);
    const url = `http://127.0.0.1:${server.addr.port}`;
    const client = new CacheClient({ url, token: TOKEN, maxAttempts: 1 });
    for (const call of [() => client.id({ k: 1 }), () => client.get(ID), () => client.rm(ID)]) {
      const e = await assertRejects(call, CacheServiceError);
      assert(!e.message.includes(TOKEN), `${kind}: ${e.message}`);
      assertStringIncludes(e.message, "***", kind);
      assertStringIncludes(e.message, `the cache service at ${url} failed`, kind);
    }
  }
  // An "ok" without a cache ID is quoted in the error: the echo too.
  await using server = echoing((auth) => Response.json({ status: "ok", cache_id: "", echo: auth }));
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: TOKEN });
  const e = await assertRejects(() => client.id({ k: 1 }), CacheServiceError);
  assert(!e.message.includes(TOKEN) && e.message.includes("***"), e.message);
});

Deno.test("vc cache-client: a token the server echoes back is not printed", async () => {
  await using server = echoing(ECHOES[0]![1]);
  const dir = await Deno.makeTempDir();
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    for (const json of [[], ["--json"]]) {
      const io = memoryIo({
        cwd: dir,
        env: { HOME: dir, VC_CACHE_URL: url, VC_CACHE_TOKEN: TOKEN },
      });
      const code = await runCli(["cache-client", "rm", ID, ...json], io);
      assertEquals(code, 1, io.stderr());
      assert(!io.stderr().includes(TOKEN) && !io.stdout().includes(TOKEN), io.stderr());
      assertStringIncludes(io.stderr() + io.stdout(), "bad ***");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache client: a refusal names the request, the cache ID and the service", async () => {
  await using server = echoing(() =>
    Response.json({ status: "error", error: "Invalid token" }, { status: 401 })
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const client = new CacheClient({ url, token: TOKEN });
  const cases: [string, () => Promise<unknown>][] = [
    [`download of cache ${ID}`, () => client.get(ID)],
    [`upload of cache ${ID}`, () => client.put(ID, new Uint8Array([1]))],
    [`delete of cache ${ID}`, () => client.rm(ID)],
    ["cache_id", () => client.id({ k: 1 })],
  ];
  for (const [what, call] of cases) {
    const e = await assertRejects(call, CacheServiceError);
    assertEquals(e.message, `${what}: the cache service at ${url} failed (401): Invalid token`);
  }
});

Deno.test("cache client: a request retried to the end says once that it gave up, with where", async () => {
  await using server = echoing(() => new Response("Internal Server Error", { status: 500 }));
  const url = `http://127.0.0.1:${server.addr.port}`;
  const client = new CacheClient({ url, token: TOKEN, maxAttempts: 3, retryBaseDelayMs: 1 });
  const e = await assertRejects(() => client.get(ID), CacheServiceError);
  assertEquals(
    e.message,
    `download of cache ${ID}: the cache service at ${url} failed (500): Internal Server Error ` +
      `(gave up after 3 attempts at ${url}/v1/cache/${ID})`,
  );
});
