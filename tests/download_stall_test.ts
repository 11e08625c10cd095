/**
 * A download whose body stalls midway (a stuck connection) is a transient
 * failure like a reset: it resumes with a ranged GET after the request
 * timeout. A plain GET's body used to fail the whole object after one
 * timeout; a parallel download's ranged GET (its bodies are piped raw,
 * without the store's idle guard) used to hang the download forever.
 *
 * The store counts its request timeouts on a ManualClock that the tests
 * advance only while the proxy holds a stalled body: a healthy request never
 * times out however loaded the machine is (a real 500 ms timeout did, and
 * failed the download: flaky at load 27+).
 */
import { downloadToFile } from "../src/store/download.ts";
import { storeAt } from "./raw_server.ts";
import { ManualClock, startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

/** The request timeout of the stores here, in the ManualClock's time. */
const TIMEOUT_MS = 500;

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
  let holding = 0;
  // Stalled bodies of plain GETs (the store's idle guard waits on a clock deadline for them).
  let guardedHolding = 0;
  // Requests whose answer is not over (sent whole, dropped, or held).
  let open = 0;
  const held: Array<() => void> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const u = new URL(req.url);
    const ranged = req.headers.get("range") !== null;
    open++;
    let closed = false;
    const over = () => {
      if (!closed) open--;
      closed = true;
    };
    const r = await fetch(target + u.pathname + u.search, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    if (req.method === "GET") gets++;
    const stall = req.method === "GET" && r.body !== null && stalls > 0 &&
      (ranged || options.rangedOnly !== true) &&
      Number(r.headers.get("content-length")) > minLength;
    if (!stall) {
      if (r.body === null) {
        over();
        return new Response(null, { status: r.status, headers: r.headers });
      }
      const source = r.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await source.read();
          if (!done) return controller.enqueue(value);
          over();
          controller.close();
        },
        cancel(reason) {
          over();
          return source.cancel(reason);
        },
      });
      return new Response(body, { status: r.status, headers: r.headers });
    }
    stalls--;
    const reader = r.body!.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= stallAfter) {
          // Never sends more (until the client drops it or the test ends).
          holding++;
          if (!ranged) guardedHolding++;
          await new Promise<void>((resolve) => held.push(resolve));
          controller.close();
          return;
        }
        const { value, done } = await reader.read();
        if (done) {
          over();
          return controller.close();
        }
        const chunk = value.subarray(0, stallAfter - sent);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
      cancel() {
        over();
        if (sent >= stallAfter) {
          holding--;
          if (!ranged) guardedHolding--;
        }
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
    /**
     * Whether every answer in flight is a stalled body, and the client waits
     * on no clock deadline but those of stalled plain GETs: moving the clock
     * on then times out the stalls and nothing else.
     */
    onlyStalls(clock: ManualClock): boolean {
      return holding > 0 && open === holding && clock.pending <= guardedHolding;
    },
    async [Symbol.asyncDispose]() {
      for (const release of held) release();
      await server.shutdown();
    },
  };
}

/**
 * Settles `work` (a download through `proxy` by a store on `clock`), moving
 * the clock one request timeout on whenever all the proxy answers is stalled
 * (again and again until the client drops the stall: the raw body watchdog
 * looks at the clock on an interval); at most `maxTimeouts` times (a stall
 * never dropped is a hang).
 */
async function timingOutStalls<T>(
  clock: ManualClock,
  proxy: { onlyStalls(clock: ManualClock): boolean },
  work: Promise<T>,
  maxTimeouts = 1000,
): Promise<{ result: T | undefined; error: unknown; timeouts: number }> {
  let settled = false;
  const outcome = work.then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  ).finally(() => settled = true);
  let timeouts = 0;
  while (!settled) {
    if (proxy.onlyStalls(clock)) {
      if (++timeouts > maxTimeouts) {
        throw new Error(`still stalled after ${maxTimeouts} request timeouts: a hang`);
      }
      await clock.advance(TIMEOUT_MS);
    }
    // Lets the client (and the raw body watchdog's interval) see the time.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { ...await outcome, timeouts };
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
  const clock = new ManualClock();
  const store = storeAt(proxy.url, TIMEOUT_MS, { clock });
  const dir = await Deno.makeTempDir({ prefix: "download_stall_" });
  try {
    const { result: info, error, timeouts } = await timingOutStalls(
      clock,
      proxy,
      downloadToFile(store, "k.bin", `${dir}/k.bin`),
    );
    if (error !== undefined) throw error;
    assertEquals(timeouts >= 1, true, "the stall was timed out");
    assertEquals(info?.size, data.length);
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
  const clock = new ManualClock();
  const store = storeAt(proxy.url, TIMEOUT_MS, { clock });
  const dir = await Deno.makeTempDir({ prefix: "download_stall_" });
  try {
    // Waited on forever, the stall would outlast every timeout the helper gives.
    const { result: info, error, timeouts } = await timingOutStalls(
      clock,
      proxy,
      downloadToFile(store, "big.bin", `${dir}/big.bin`, PARALLEL_4MIB),
    );
    if (error !== undefined) throw error;
    assertEquals(timeouts >= 1, true, "the stall was timed out");
    assertEquals(info?.size, data.length);
    assertEquals(await Deno.readFile(`${dir}/big.bin`), data);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: a trickle (a few bytes, then a stall, every time) fails after a few attempts saying how many, no hang", async () => {
  // Unsigned, as above: the proxy's Host is not the one signed for.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  const data = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 13) & 0xff);
  await s3.putObject("b", "t.bin", data);
  // Every ranged GET of the parallel download sends 1000 bytes, then nothing.
  await using proxy = stallingProxy(s3.url, {
    stalls: Infinity,
    rangedOnly: true,
    stallAfter: 1000,
    minLength: 0,
  });
  const clock = new ManualClock();
  const store = storeAt(proxy.url, TIMEOUT_MS, { clock });
  const dir = await Deno.makeTempDir({ prefix: "download_stall_" });
  try {
    // The old behaviour (each resume's 1000 bytes counted as progress: ~4000
    // resumes of one timeout each, days at the default) outlasts the
    // helper's cap of timeouts: the download ends on its own within a few.
    const { error } = await timingOutStalls(
      clock,
      proxy,
      downloadToFile(store, "t.bin", `${dir}/t.bin`, PARALLEL_4MIB),
    );
    assertEquals(error instanceof Error, true, "a trickle is a failure");
    assertEquals(proxy.gets <= 12, true, `${proxy.gets} GETs`);
    // Its range was asked for 3 times: the error said one timeout, as a
    // small object's says `(gave up after 5 attempts)` of the store's.
    assertStringIncludes((error as Error).message, "(gave up after 3 attempts)");
    assertEquals([...Deno.readDirSync(dir)].length, 0, "no file left");
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
