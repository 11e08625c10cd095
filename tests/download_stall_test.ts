/**
 * A download whose body stalls midway (a stuck connection) is a transient
 * failure like a reset: it resumes with a ranged GET after the request
 * timeout. A plain GET's body used to fail the whole object after one
 * timeout; a parallel download's ranged GET (its bodies are piped raw,
 * without the store's idle guard) used to hang the download forever.
 */
import { downloadToFile } from "../src/store/download.ts";
import { storeAt } from "./raw_server.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";

/**
 * Forwards to `target`; the first `stalls` GET bodies over `minLength`
 * (default 1 MiB; with `rangedOnly`, only ranged GETs) stop after
 * `stallAfter` bytes (default 256 KiB) until the proxy is disposed.
 */
function stallingProxy(
  target: string,
  options: { stalls: number; rangedOnly?: boolean; stallAfter?: number; minLength?: number },
) {
  let stalls = options.stalls;
  const stallAfter = options.stallAfter ?? 256 * 1024;
  const minLength = options.minLength ?? 1024 * 1024;
  let gets = 0;
  const held: Array<() => void> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const u = new URL(req.url);
    const ranged = req.headers.get("range") !== null;
    const r = await fetch(target + u.pathname + u.search, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    if (req.method === "GET") gets++;
    const stall = req.method === "GET" && r.body !== null && stalls > 0 &&
      (ranged || options.rangedOnly !== true) &&
      Number(r.headers.get("content-length")) > minLength;
    if (!stall) return new Response(r.body, { status: r.status, headers: r.headers });
    stalls--;
    const reader = r.body!.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= stallAfter) {
          // Never sends more (until the test ends).
          await new Promise<void>((resolve) => held.push(resolve));
          controller.close();
          return;
        }
        const { value, done } = await reader.read();
        if (done) return controller.close();
        const chunk = value.subarray(0, stallAfter - sent);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
      cancel() {
        reader.cancel().catch(() => {});
      },
    });
    return new Response(body, { status: r.status, headers: r.headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    /** GET requests forwarded so far. */
    get gets() {
      return gets;
    },
    async [Symbol.asyncDispose]() {
      for (const release of held) release();
      await server.shutdown();
    },
  };
}

/** Download options that make an object over 4 MiB a parallel download of 4 MiB ranges. */
const PARALLEL_4MIB = { parallelThreshold: 4 * 1024 * 1024, partSize: 4 * 1024 * 1024 };

Deno.test("download: a body that stalls mid-transfer is resumed, not fatal", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
  await s3.putObject("b", "k.bin", data);
  await using proxy = stallingProxy(s3.url, { stalls: 1 });
  const store = storeAt(proxy.url, 500);
  const dir = await Deno.makeTempDir();
  try {
    const info = await downloadToFile(store, "k.bin", `${dir}/k.bin`);
    assertEquals(info.size, data.length);
    assertEquals(await Deno.readFile(`${dir}/k.bin`), data);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: a stalled ranged GET of a parallel download is resumed, not waited on forever", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  const data = new Uint8Array(12 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
  await s3.putObject("b", "big.bin", data);
  await using proxy = stallingProxy(s3.url, { stalls: 1, rangedOnly: true });
  const store = storeAt(proxy.url, 500);
  const dir = await Deno.makeTempDir();
  const timer = AbortSignal.timeout(20_000);
  try {
    const info = await downloadToFile(store, "big.bin", `${dir}/big.bin`, {
      ...PARALLEL_4MIB,
      signal: timer,
    });
    assertEquals(info.size, data.length);
    assertEquals(await Deno.readFile(`${dir}/big.bin`), data);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: a trickle (a few bytes, then a stall, every time) fails after a few attempts, no hang", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const data = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 13) & 0xff);
  await s3.putObject("b", "t.bin", data);
  // Every ranged GET of the parallel download sends 1000 bytes, then nothing.
  await using proxy = stallingProxy(s3.url, {
    stalls: Infinity,
    rangedOnly: true,
    stallAfter: 1000,
    minLength: 0,
  });
  const store = storeAt(proxy.url, 500);
  const dir = await Deno.makeTempDir();
  // Only a guard against the old behaviour (each resume's 1000 bytes counted
  // as progress: ~4000 resumes of one timeout each, days at the default):
  // the download ends on its own within a few timeouts.
  const timer = AbortSignal.timeout(20_000);
  try {
    const error = await downloadToFile(store, "t.bin", `${dir}/t.bin`, {
      ...PARALLEL_4MIB,
      signal: timer,
    }).then(() => undefined, (e) => e);
    assertEquals(timer.aborted, false, "still trickling after 20 s");
    assertEquals(error instanceof Error, true, "a trickle is a failure");
    assertEquals(proxy.gets <= 12, true, `${proxy.gets} GETs`);
    assertEquals([...Deno.readDirSync(dir)].length, 0, "no file left");
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
