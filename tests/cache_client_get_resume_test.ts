/**
 * `CacheClient` downloads (so `vc cache-client get`) go on after a cut body
 * with `Range: bytes=N-` and `If-Range`, as the S3 store's do: a proxy that
 * cuts every answer after a few bytes made each of the 5 attempts start
 * from zero again, and a file larger than the cut never came through. A
 * server that ignores the range, or a file replaced between the cut and
 * the resume, starts over; the bytes of a resumed download are checked
 * against the file's MD5 as a whole. Against a real `vc serve` behind a
 * cutting proxy on 127.0.0.1.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CacheClient, type CacheClientOptions } from "../src/server/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { rawServer } from "./raw_server.ts";
import { listenToStoreRetries, type StoreRetry } from "../src/store/retry_notice.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const encoder = new TextEncoder();
const SIZE = 200_000;
const CUT = 30_000;

/** What the proxy does with each request. */
interface ProxyPlan {
  /** Body bytes passed on before the connection is closed (default: all). */
  cutAfter?: (request: number) => number;
  /** Drop the request's `Range` (a server or proxy that ignores ranges). */
  ignoreRange?: boolean;
  /** Runs before a cut closes the connection. */
  beforeCut?: (request: number) => Promise<void>;
  /**
   * Bytes of the body sent without a `Content-Length`, the connection then
   * closed: an answer that ends cleanly, short (undefined: as `cutAfter`).
   */
  endCleanlyAfter?: (request: number) => number | undefined;
  /** Changes a body on the way (bytes at their offset in the answer). */
  damage?: (request: number, body: Uint8Array) => void;
}

/** Reads one request head: its request line and headers. */
async function readHead(conn: Deno.Conn): Promise<{ path: string; headers: Headers } | null> {
  const buffer = new Uint8Array(16 * 1024);
  let text = "";
  for (let i = 0; i < 64 && !text.includes("\r\n\r\n"); i++) {
    const n = await conn.read(buffer);
    if (n === null) return null;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  const [line, ...rest] = text.slice(0, text.indexOf("\r\n\r\n")).split("\r\n");
  const headers = new Headers();
  for (const h of rest) {
    const colon = h.indexOf(":");
    headers.append(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
  }
  return { path: line!.split(" ")[1]!, headers };
}

/** A proxy in front of `backend` (GETs only) that passes each answer on as `plan` says. */
function cuttingProxy(backend: string, plan: ProxyPlan) {
  const requests: { range: string | null; ifRange: string | null; status: number }[] = [];
  const server = rawServer(async (conn) => {
    try {
      const head = await readHead(conn);
      if (head === null) return;
      const n = requests.length + 1;
      const headers = new Headers({ authorization: head.headers.get("authorization") ?? "" });
      for (const name of ["range", "if-range"]) {
        const value = head.headers.get(name);
        if (value !== null && !plan.ignoreRange) headers.set(name, value);
      }
      const res = await fetch(`${backend}${head.path}`, { headers });
      const body = new Uint8Array(await res.arrayBuffer());
      requests.push({
        range: head.headers.get("range"),
        ifRange: head.headers.get("if-range"),
        status: res.status,
      });
      plan.damage?.(n, body);
      let out = `HTTP/1.1 ${res.status} ${res.statusText}\r\nconnection: close\r\n`;
      for (const [name, value] of res.headers) {
        if (!["connection", "transfer-encoding", "content-length"].includes(name)) {
          out += `${name}: ${value}\r\n`;
        }
      }
      const endEarly = plan.endCleanlyAfter?.(n);
      out += endEarly === undefined ? `content-length: ${body.length}\r\n\r\n` : "\r\n";
      await conn.write(encoder.encode(out));
      const cut = Math.min(body.length, endEarly ?? plan.cutAfter?.(n) ?? body.length);
      for (let at = 0; at < cut;) at += await conn.write(body.subarray(at, cut));
      if (cut < body.length && endEarly === undefined) await plan.beforeCut?.(n);
    } finally {
      conn.close();
    }
  });
  return { url: server.url, requests, [Symbol.asyncDispose]: () => server[Symbol.asyncDispose]() };
}

/** Bytes that differ at every offset a resume could get wrong. */
function content(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed + (i >> 8)) & 0xff);
}

async function cachedFile(url: string, token: string, bytes: Uint8Array): Promise<string> {
  const { doc } = await newCacheId(url, token, { sample: crypto.randomUUID() });
  const id = doc.cache_id as string;
  assertEquals((await upload(url, token, id, bytes, "data.bin")).status, 200);
  return id;
}

/** A client of `service`, as alice, through `proxy`: its retries wait 1 ms, not seconds. */
function clientThrough(
  proxy: { url: string },
  service: { tokens: { alice: string } },
  extra: Partial<CacheClientOptions> = {},
): CacheClient {
  return new CacheClient({
    url: proxy.url,
    token: service.tokens.alice,
    retryBaseDelayMs: 1,
    ...extra,
  });
}

Deno.test("cache-client get: a proxy that cuts every answer is resumed to the end, bytes checked", async () => {
  await using service = await startService();
  const bytes = content(SIZE, 1);
  const id = await cachedFile(service.url, service.tokens.alice, bytes);
  await using proxy = cuttingProxy(service.url, { cutAfter: () => CUT });
  const client = clientThrough(proxy, service);
  // To a file (`get ID DEST`) and as a stream (`get ID` to stdout).
  const dest = join(service.dir, "out.bin");
  assertEquals(await client.download(id, dest), true);
  assertEquals(await Deno.readFile(dest), bytes);
  const pieces = Math.ceil(SIZE / CUT);
  assertEquals(proxy.requests.length, pieces);
  assertEquals(proxy.requests[0]!.range, null);
  const etag = proxy.requests[1]!.ifRange;
  assert(etag !== null && !etag.startsWith("W/"), `If-Range ${etag}`);
  for (let i = 1; i < pieces; i++) {
    assertEquals(proxy.requests[i], { range: `bytes=${i * CUT}-`, ifRange: etag, status: 206 });
  }
  assertEquals(await client.getBytes(id), bytes);
  assertEquals(proxy.requests.length, 2 * pieces);
});

Deno.test("cache-client get: a resume after a cut is told to the retry listeners, with where", async () => {
  await using service = await startService();
  const bytes = content(SIZE, 3);
  const id = await cachedFile(service.url, service.tokens.alice, bytes);
  await using proxy = cuttingProxy(service.url, { cutAfter: (n) => n === 1 ? CUT : Infinity });
  const client = clientThrough(proxy, service);
  const heard: StoreRetry[] = [];
  const stop = listenToStoreRetries((r) => heard.push(r));
  try {
    assertEquals(await client.getBytes(id), bytes);
  } finally {
    stop();
  }
  assertEquals(heard.map((r) => [r.attempt, r.maxAttempts, r.resumeAt]), [[1, 5, CUT]]);
  assert(heard[0]!.reason.includes(`download of cache ${id}`), heard[0]!.reason);
});

Deno.test("cache-client get: bytes damaged in a resumed part fail the MD5 check and are fetched again whole", async () => {
  await using service = await startService();
  const bytes = content(SIZE, 2);
  const id = await cachedFile(service.url, service.tokens.alice, bytes);
  await using proxy = cuttingProxy(service.url, {
    cutAfter: (n) => n === 1 ? CUT : Infinity,
    damage: (n, body) => {
      if (n === 2) body[1000]! ^= 0xff;
    },
  });
  const client = clientThrough(proxy, service, { maxAttempts: 2 });
  const dest = join(service.dir, "out.bin");
  // The damaged bytes are never kept: the download starts over, whole.
  assert(await client.download(id, dest));
  assertEquals(await Deno.readFile(dest), bytes);
  assertEquals(proxy.requests.map((r) => [r.range, r.status]), [
    [null, 200],
    [`bytes=${CUT}-`, 206],
    [null, 200],
  ]);
});

Deno.test("cache-client get: a resumed answer that ends cleanly but short is resumed again", async () => {
  await using service = await startService();
  const bytes = content(SIZE, 8);
  const id = await cachedFile(service.url, service.tokens.alice, bytes);
  await using proxy = cuttingProxy(service.url, {
    cutAfter: (n) => n === 1 ? CUT : Infinity,
    endCleanlyAfter: (n) => n === 2 ? 10_000 : undefined,
  });
  const client = clientThrough(proxy, service);
  assertEquals(await client.getBytes(id), bytes);
  assertEquals(proxy.requests.map((r) => [r.range, r.status]), [
    [null, 200],
    [`bytes=${CUT}-`, 206],
    [`bytes=${CUT + 10_000}-`, 206],
  ]);
});

Deno.test("cache-client get: maxAttempts 1 (no retries) resumes nothing", async () => {
  await using service = await startService();
  const id = await cachedFile(service.url, service.tokens.alice, content(SIZE, 6));
  await using proxy = cuttingProxy(service.url, { cutAfter: () => CUT });
  const client = new CacheClient({ url: proxy.url, token: service.tokens.alice, maxAttempts: 1 });
  await assertRejects(() => client.download(id, join(service.dir, "out.bin")));
  assertEquals(proxy.requests.length, 1);
});

Deno.test("cache-client get: a body cut on each of its resumes fails saying how many requests it made", async () => {
  await using service = await startService();
  const id = await cachedFile(service.url, service.tokens.alice, content(SIZE, 9));
  // The first answer is cut after CUT bytes, each resume before its first byte.
  await using proxy = cuttingProxy(service.url, { cutAfter: (n) => n === 1 ? CUT : 0 });
  const client = clientThrough(proxy, service, { maxAttempts: 3 });
  // As a stream (`vc cache-client get ID` to stdout): read after get() returned.
  const res = await client.get(id);
  const error = await res!.bytes().then(() => undefined, (e: unknown) => e);
  assert(error instanceof Error, String(error));
  // The last cut alone was said, as if the file had been asked for once.
  assertEquals(proxy.requests.length, 3);
  assertStringIncludes(error.message, "broke off");
  assertStringIncludes(error.message, "(gave up after 3 attempts)");
  // To a file, started over 3 times: said once, of those, with where.
  const whole = await client.download(id, join(service.dir, "out.bin")).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert(whole instanceof Error, String(whole));
  assertEquals(whole.message.match(/gave up/g)?.length, 1, whole.message);
  assertStringIncludes(whole.message, "(gave up after 3 attempts at http://");
});

Deno.test("cache-client get: a server that ignores Range starts over, not appending the whole file", async () => {
  await using service = await startService();
  const bytes = content(SIZE, 3);
  const id = await cachedFile(service.url, service.tokens.alice, bytes);
  await using proxy = cuttingProxy(service.url, {
    cutAfter: (n) => n === 1 ? CUT : Infinity,
    ignoreRange: true,
  });
  const client = clientThrough(proxy, service);
  const dest = join(service.dir, "out.bin");
  assertEquals(await client.download(id, dest), true);
  assertEquals(await Deno.readFile(dest), bytes);
  // The resume (answered 200), then the start over.
  assertEquals(proxy.requests.map((r) => [r.range, r.status]), [
    [null, 200],
    [`bytes=${CUT}-`, 200],
    [null, 200],
  ]);
});

Deno.test("cache-client get: a file replaced between the cut and the resume is downloaded anew, never mixed", async () => {
  await using service = await startService();
  const old = content(SIZE, 4);
  const replacement = content(SIZE + 5000, 5);
  const id = await cachedFile(service.url, service.tokens.alice, old);
  await using proxy = cuttingProxy(service.url, {
    cutAfter: (n) => n === 1 ? CUT : Infinity,
    beforeCut: async () => {
      assertEquals(
        (await upload(service.url, service.tokens.alice, id, replacement, "data.bin")).status,
        200,
      );
    },
  });
  const client = clientThrough(proxy, service);
  const dest = join(service.dir, "out.bin");
  assertEquals(await client.download(id, dest), true);
  assertEquals(await Deno.readFile(dest), replacement);
  // If-Range with the old ETag got the new file whole (200): not continued.
  assertEquals(proxy.requests.map((r) => [r.range, r.status]), [
    [null, 200],
    [`bytes=${CUT}-`, 200],
    [null, 200],
  ]);
  assert(proxy.requests[1]!.ifRange !== null);
});

Deno.test("vc cache-client get: to DEST and to stdout through a proxy that cuts every answer", async () => {
  await using service = await startService();
  const bytes = content(SIZE, 7);
  const id = await cachedFile(service.url, service.tokens.alice, bytes);
  await using proxy = cuttingProxy(service.url, { cutAfter: () => CUT });
  const env = { HOME: service.dir, VC_CACHE_URL: proxy.url, VC_CACHE_TOKEN: service.tokens.alice };
  const toFile = memoryIo({ cwd: service.dir, env });
  assertEquals(await runCli(["cache-client", "get", id, "copy.bin"], toFile), 0, toFile.stderr());
  assertEquals(await Deno.readFile(join(service.dir, "copy.bin")), bytes);
  const toStdout = memoryIo({ cwd: service.dir, env });
  assertEquals(await runCli(["cache-client", "get", id], toStdout), 0, toStdout.stderr());
  assertEquals(toStdout.stdoutBytes(), bytes);
});
