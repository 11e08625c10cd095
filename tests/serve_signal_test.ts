/**
 * `vc serve` stopped by Ctrl-C or SIGTERM as a real process, with an
 * upload to an S3 store in flight: a drain cut short (the grace period of a
 * Ctrl-C, a second signal) aborts the store writes in flight, so no
 * multipart upload stays open in the bucket, and the exit is the
 * documented one (130, `vc: serve interrupted`). SIGTERM alone waits for a slow
 * client however long it takes.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { addToken } from "../src/server/auth.ts";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { lastLine, openUploads as openUploadsIn, requestsEnding } from "./interrupt_helpers.ts";
import { servedUrl } from "./serve_process.ts";

const BUCKET = "servesig";
/** The longest one `vc serve` of these tests may run before it is killed. */
const RUN_LIMIT_MS = 60_000;
const MiB = 1024 * 1024;
const BOUNDARY = "vcsignaltestboundary";

type FakeS3 = Awaited<ReturnType<typeof startFakeS3>>;

const openUploads = (s3: FakeS3) => openUploadsIn(s3, BUCKET);

interface Served {
  url: string;
  token: string;
  id: string;
  s3: FakeS3;
  child: Deno.ChildProcess;
  /** The exit code and stderr, once the process ended. */
  ended: Promise<{ code: number; stderr: string }>;
}

/**
 * Starts `vc serve` over `s3://BUCKET/c` of a fresh fake S3, reserves a
 * cache ID, runs `fn`, then checks that no multipart upload is left open
 * once the delayed requests have ended on the server.
 */
async function withServe(latencyMs: number, fn: (s: Served) => Promise<void>): Promise<void> {
  const requests = requestsEnding();
  await using s3 = await startFakeS3({ buckets: [BUCKET], onRequest: requests.onRequest });
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_serve_sig_" }));
  let child: Deno.ChildProcess | undefined;
  try {
    await Deno.mkdir(join(dir, "home"));
    const tokens = join(dir, "tokens.json");
    const token = await addToken(tokens, "alice");
    child = vcCommand(dir, childEnv(dir, testAwsEnv(s3.url)), [
      "serve",
      "--port",
      "0",
      "--store",
      `s3://${BUCKET}/c`,
      "--token-file",
      tokens,
    ], RUN_LIMIT_MS).spawn();
    const { url, stderr, stdoutEnd } = await servedUrl(child);
    const ended = Promise.all([child.status, stderr, stdoutEnd]).then(([s, text]) => ({
      code: s.code,
      stderr: text,
    }));
    const res = await fetch(`${url}/v1/cache_id`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: '{"run": 1}',
    });
    const { cache_id: id } = await res.json();
    s3.setFaults({ latencyMs, match: (t) => t.op === "UploadPart" });
    await fn({ url, token, id, s3, child, ended });
    // A part request the service gave up on still runs on the server once
    // its delay is over: wait for it to end before looking at what it left.
    await requests.settled(s3, latencyMs + 5_000);
    s3.clearFaults();
    assertEquals(await openUploads(s3), [], "no multipart upload left open");
  } finally {
    try {
      child?.kill("SIGKILL");
    } catch {
      // already exited
    }
    await child?.status;
    await Deno.remove(dir, { recursive: true });
  }
}

/** The multipart body of an upload of `size` bytes, split around the file's bytes. */
function uploadBody(size: number): { head: Uint8Array; tail: Uint8Array; length: number } {
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${BOUNDARY}--\r\n`);
  return { head, tail, length: head.length + size + tail.length };
}

/** Uploads `size` bytes to the cache `id` in one go: the answer's status (0: none). */
function postFile(url: string, token: string, id: string, size: number): Promise<number> {
  const { head, tail, length } = uploadBody(size);
  const body = new Uint8Array(length);
  body.set(head);
  body.fill(7, head.length, head.length + size);
  body.set(tail, head.length + size);
  return fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
    },
    body,
  }).then(async (r) => (await r.body?.cancel(), r.status), () => 0);
}

/** Waits (bounded) until a part upload has reached the fake S3. */
async function partArrived(s3: FakeS3): Promise<void> {
  for (let i = 0; i < 1500 && s3.stats.UploadPart === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assertEquals(s3.stats.CreateMultipartUpload, 1, "the upload started");
}

Deno.test({
  name: "serve: a Ctrl-C whose upload outlasts the grace period aborts it in the store, 130",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  fn: () =>
    withServe(12_000, async ({ url, token, id, s3, child, ended }) => {
      const upload = postFile(url, token, id, 12 * MiB);
      await partArrived(s3);
      const sent = Date.now();
      child.kill("SIGINT");
      const { code, stderr } = await ended;
      const took = Date.now() - sent;
      assertEquals(code, 130, stderr);
      assertEquals(lastLine(stderr), "vc: serve interrupted");
      // The 5 s grace period, then the abort (not the 12 s the parts take).
      assert(took >= 4_500 && took < 11_000, `exited after ${took} ms`);
      assert(s3.stats.AbortMultipartUpload >= 1, "the upload was aborted");
      // Told to come back: not a success, nor a 500.
      assertEquals(await upload, 503);
      assertEquals(s3.listKeys(BUCKET, "c/data/"), [], "no data object stored");
    }),
});

Deno.test({
  name: "serve: SIGTERM waits for a slow upload; a second SIGTERM aborts it in the store, 130",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  fn: () =>
    withServe(0, async ({ url, token, id, s3, child, ended }) => {
      const size = 64 * MiB;
      const { head, length } = uploadBody(size);
      const { hostname, port, pathname } = new URL(`${url}/v1/cache/${id}`);
      const conn = await Deno.connect({ hostname, port: Number(port) });
      const stop = new AbortController();
      try {
        await conn.write(new TextEncoder().encode(
          `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
            `Authorization: Bearer ${token}\r\n` +
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
            `Content-Length: ${length}\r\n\r\n`,
        ));
        await conn.write(head);
        // Enough for the first part, then a trickle: a slow client, not a stalled one.
        const chunk = new Uint8Array(MiB).fill(7);
        for (let i = 0; i < 6; i++) await conn.write(chunk);
        const trickle = (async () => {
          const small = new Uint8Array(16 * 1024).fill(7);
          for (let i = 0; i < 200 && !stop.signal.aborted; i++) {
            await conn.write(small).catch(() => stop.abort());
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        await partArrived(s3);
        child.kill("SIGTERM");
        // No limit on the drain: still serving the upload 7 s later (past a Ctrl-C's grace period).
        const early = await Promise.race([
          ended.then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 7_000)),
        ]);
        assert(!early, "vc serve exited while an upload was still arriving");
        const sent = Date.now();
        child.kill("SIGTERM");
        const { code, stderr } = await ended;
        const took = Date.now() - sent;
        stop.abort();
        await trickle;
        assertEquals(code, 130, stderr);
        assertEquals(lastLine(stderr), "vc: serve interrupted");
        assert(took < 4_000, `exited after ${took} ms`);
        assert(s3.stats.AbortMultipartUpload >= 1, "the upload was aborted");
        assertEquals(s3.listKeys(BUCKET, "c/data/"), [], "no data object stored");
      } finally {
        stop.abort();
        conn.close();
      }
    }),
});

/**
 * Waits (bounded: at most about `limitMs`) until a new request to `url` is
 * turned away with 503: the service has taken the signal and is draining.
 */
async function draining(url: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (let i = 0; i < 6_000 && Date.now() < deadline; i++) {
    const status = await fetch(`${url}/v1/cache_id`, { method: "POST", body: "{}" })
      .then(async (r) => (await r.body?.cancel(), r.status), () => 0);
    if (status === 503) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("vc serve never turned a new request away after the signal");
}

/** Writes all of `bytes` to `conn` (one write may take only some). */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** Reads `conn` until the end of an HTTP answer's status line: its status. */
async function answerStatus(conn: Deno.Conn): Promise<number> {
  const buf = new Uint8Array(4096);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buf);
    if (n === null) return 0;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

Deno.test({
  name: "serve: a Ctrl-C lets an upload that ends within the grace period finish, 0",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  fn: () =>
    withServe(0, async ({ url, token, id, s3, child, ended }) => {
      // When the signal comes, the client is still sending and the first
      // part is on its way to the store: the store holds it until the
      // service has taken the signal (it turns new requests away), then
      // lets it go. What is left then is small and known (the held 5 MiB
      // part, the client's last 64 KiB, a last part of 1 MiB and 64 KiB,
      // the completion), so the upload ends within the 5 s grace period
      // however slow the machine (ci1: 12 MiB in parts delayed 1 s each did
      // not, at load 48).
      const release = Promise.withResolvers<void>();
      s3.setFaults({ hold: release.promise, match: (t) => t.op === "UploadPart" });
      const size = 6 * MiB + 64 * 1024;
      const { head, tail, length } = uploadBody(size);
      const { hostname, port, pathname } = new URL(`${url}/v1/cache/${id}`);
      const conn = await Deno.connect({ hostname, port: Number(port) });
      try {
        await writeAll(
          conn,
          new TextEncoder().encode(
            `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
              `Authorization: Bearer ${token}\r\n` +
              `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
              `Content-Length: ${length}\r\n\r\n`,
          ),
        );
        await writeAll(conn, head);
        // The first part's bytes and more: it is not the last.
        await writeAll(conn, new Uint8Array(6 * MiB).fill(7));
        await partArrived(s3);
        child.kill("SIGINT");
        await draining(url);
        release.resolve();
        await writeAll(conn, new Uint8Array(size - 6 * MiB).fill(7));
        await writeAll(conn, tail);
        assertEquals(await answerStatus(conn), 200);
      } finally {
        release.resolve();
        conn.close();
      }
      const { code, stderr } = await ended;
      assertEquals(code, 0, stderr);
      assertEquals(s3.stats.AbortMultipartUpload, 0);
      assertEquals(s3.stats.UploadPart, 2, "the upload took two parts");
      assertEquals(s3.listKeys(BUCKET, "c/data/").length, 1, "the file was stored");
    }),
});
