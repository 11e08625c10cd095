// A cache service that stops answering: the client gives up after its
// request timeout with an OfflineError naming the service, whether the
// service never answers, answers an upload with silence, or stalls in the
// middle of a download; `vc cache-client` takes the timeout from
// --request-timeout or VC_REQUEST_TIMEOUT.
import { CacheClient } from "../src/server/client.ts";
import { InvalidInputError, OfflineError } from "../src/errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { rawServer, silentServer } from "./raw_server.ts";
import { withWorkspace } from "./cli_process.ts";

const ID = "0123456789abcdef".repeat(8);

/** `promise`, or a failure when it has not settled within 20 s (a client that waits forever). */
function within<T>(promise: Promise<T>): () => Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("still waiting after 20 s")), 20_000);
  });
  return () => Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

Deno.test("cache client: a service that never answers is an OfflineError after the timeout", async () => {
  await using server = silentServer();
  const client = new CacheClient({ url: server.url, token: "t", timeoutMs: 300 });
  const started = performance.now();
  const error = await assertRejects(within(client.getBytes(ID)), OfflineError);
  assertStringIncludes(
    error.message,
    `the cache service at ${server.url} sent no answer for 0.3 s`,
  );
  assertStringIncludes(error.message, "(request timeout: the timeoutMs option, in ms)");
  assert(performance.now() - started < 20_000);
  await assertRejects(within(client.rm(ID)), OfflineError, "sent no answer");
  await assertRejects(within(client.id({ a: 1 })), OfflineError, "sent no answer");
  // An upload is given its send time on top (64 KiB/s), then the same.
  await assertRejects(within(client.put(ID, new Uint8Array(10))), OfflineError, "sent no answer");
});

Deno.test("cache client: a download that stalls midway is an OfflineError, nothing written", async () => {
  // Headers and a first chunk of a 1 MiB body, then silence.
  await using server = rawServer(async (conn) => {
    const buffer = new Uint8Array(4096);
    await conn.read(buffer);
    await conn.write(
      new TextEncoder().encode(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n" +
          "content-length: 1048576\r\n\r\nfirst bytes",
      ),
    );
    await conn.read(buffer).catch(() => null); // until the test closes it
  });
  const dir = await Deno.makeTempDir();
  try {
    const client = new CacheClient({ url: server.url, token: "t", timeoutMs: 300 });
    await assertRejects(
      within(client.download(ID, `${dir}/out.bin`)),
      OfflineError,
      "sent nothing more of a download for 0.3 s",
    );
    assertEquals([...Deno.readDirSync(dir)], [], "no file, no temp file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache client: timeoutMs 0 waits, and a bad timeoutMs is refused", async () => {
  assertThrows(
    () => new CacheClient({ url: "http://127.0.0.1:1", token: "t", timeoutMs: -1 }),
    InvalidInputError,
    "timeoutMs option is -1",
  );
  await using server = silentServer();
  const client = new CacheClient({ url: server.url, token: "t", timeoutMs: 0 });
  const stop = AbortSignal.timeout(500);
  // Only the caller's own signal ends it.
  const error = await assertRejects(() => client.getBytes(ID, { signal: stop }));
  assert(!(error instanceof OfflineError), String(error));
});

Deno.test("vc cache-client get: --request-timeout and VC_REQUEST_TIMEOUT bound a silent service", async () => {
  await using server = silentServer();
  await withWorkspace(async (dir, vc) => {
    const env = { VC_CACHE_URL: server.url, VC_CACHE_TOKEN: "t" };
    for (
      const [args, extra] of [
        [["--request-timeout", "1"], {}],
        [[], { VC_REQUEST_TIMEOUT: "1" }],
      ] as const
    ) {
      const r = await vc(["cache-client", "get", ID, `${dir}/out.bin`, ...args], {
        ...env,
        ...extra,
      });
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, `the cache service at ${server.url} sent no answer for 1 s`);
    }
  });
});
