/**
 * A store → local mirror of a large object that a run leaves unfinished
 * (the store stops answering after every retry, a Ctrl-C, a `kill -9`) is
 * resumed by the next run from where it stopped, as the asset cache resumes
 * its downloads (`src/cache/partial_download.ts`): ranges with `If-Match` on
 * the ETag it started with, the kept prefix hashed again, the file verified
 * whole. The next run's sweep of dead downloads' temp files keeps such a
 * partial; an object replaced meanwhile starts over from byte 0.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { md5Hex } from "../src/hash.ts";
import { type FaultTarget, type RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { testS3Store } from "./versioned_helpers.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { MirrorInterruptedError } from "../src/mirror/report.ts";
import { tempDir } from "./mirror_helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;

/** A fake S3 with bucket `b`, its GET log, a store on it, and a target dir. */
async function setUp() {
  const gets: RequestLogEntry[] = [];
  const s3 = await startFakeS3({
    buckets: ["b"],
    onRequest: (e) => void (e.op === "GetObject" && gets.push(e)),
  });
  // One try per request: a store that stops answering fails the download at once.
  const store = testS3Store(s3, "b", { maxAttempts: 1 });
  const w = await tempDir();
  const target = join(w.dir, "dl");
  const opts: MirrorOptions = {
    sources: [store],
    sourcePrefix: "d",
    target,
    statePath: join(w.dir, "s.db"),
    // 1 MiB ranges: the run stops at a known place.
    download: { parallelThreshold: MiB, partSize: MiB },
    concurrency: 1,
  };
  return {
    s3,
    gets,
    target,
    opts,
    /**
     * The options of a run the store stops answering once ranges `0…n-1`
     * (the first `n` MiB) are in: every GET of a later range fails, held
     * back until they are. Failed as they came (the 5th GET), a loaded
     * machine still writing range 0 when it failed kept no prefix, and
     * the next run rightly started over from byte 0.
     */
    cutOffAfter(n: number): MirrorOptions {
      const later = (t: FaultTarget) =>
        t.op === "GetObject" &&
        Number(/^bytes=(\d+)-/.exec(t.headers.range ?? "")?.[1] ?? 0) >= n * MiB;
      const arrived = Promise.withResolvers<void>();
      s3.setFaults({ hold: arrived.promise, match: later });
      s3.failNext(1000, "internal", later);
      return { ...opts, onProgress: (p) => void (p.bytes >= n * MiB && arrived.resolve()) };
    },
    async [Symbol.asyncDispose]() {
      await store.close();
      await s3[Symbol.asyncDispose]();
      await w[Symbol.asyncDispose]();
    },
  };
}

/** The first byte each GET asked for (0 for a GET without a range). */
function starts(gets: RequestLogEntry[]): number[] {
  return gets.map((g) => Number(/^bytes=(\d+)-/.exec(g.headers.range ?? "")?.[1] ?? 0));
}

/** Dates the temp files in `dir` a minute back: a later run's sweep finds them unlocked and old. */
async function age(dir: string): Promise<void> {
  const later = new Date(Date.now() - 60_000);
  for (const name of await tempFiles(dir)) await Deno.utime(name, later, later);
}

/**
 * The store answers again; the next run (the partial aged past the sweep's
 * grace) finishes `big.bin` as `data` by resuming: every GET a range past the
 * first MiB, with `If-Match`, and no temp file left. Ranges run in parallel:
 * how much of the prefix the first run kept depends on which of them it cut
 * short, never byte 0 again.
 */
async function assertNextRunResumes(
  t: Awaited<ReturnType<typeof setUp>>,
  data: Uint8Array,
): Promise<void> {
  t.s3.clearFaults();
  await age(t.target);
  t.gets.length = 0;
  const next = await mirror(t.opts);
  assertEquals([next.failed.length, next.transferred], [0, 1]);
  assertEquals(md5Hex(await Deno.readFile(join(t.target, "big.bin"))), md5Hex(data));
  const at = starts(t.gets);
  assert(at.length > 0 && at.every((s) => s >= MiB), `resumed, not restarted: ${at}`);
  assert(t.gets.every((g) => g.headers["if-match"] !== undefined), "every resume is If-Match");
  assertEquals(await tempFiles(t.target), []);
}

Deno.test("mirror store → local: a large download cut off is resumed by the next run", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 11);
  await t.s3.putObject("b", "d/big.bin", data);
  // Ranges 0–3 arrive; then the store stops answering.
  const first = await mirror(t.cutOffAfter(4));
  assertEquals(first.failed.map((f) => f.key), ["big.bin"]);
  await assertNextRunResumes(t, data);
});

Deno.test("mirror store → local: an interrupted large download is resumed by the next run", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 12);
  await t.s3.putObject("b", "d/big.bin", data);
  // Every GET after the first is held back 2 s, so the Ctrl-C below lands
  // while the rest of the download is still on its way, however late a
  // loaded machine runs the progress callback (ranges released together
  // could otherwise all be in before it ran, and the first run finished).
  let seen = 0;
  t.s3.setFaults({ latencyMs: 2000, match: (r) => r.op === "GetObject" && ++seen >= 2 });
  const stop = new AbortController();
  await mirror({
    ...t.opts,
    signal: stop.signal,
    // Ctrl-C once the first range is in.
    onProgress: (p) => void (p.bytes >= MiB && stop.abort()),
  }).catch(() => {});
  assert(stop.signal.aborted);
  await assertNextRunResumes(t, data);
});

Deno.test("mirror store → local: an interrupt says which download kept its partial, and how much", async () => {
  await using t = await setUp();
  await t.s3.putObject("b", "d/big.bin", randomBytes(SIZE, 13));
  // As above: the rest of the download is held back when the Ctrl-C lands.
  let seen = 0;
  t.s3.setFaults({ latencyMs: 2000, match: (r) => r.op === "GetObject" && ++seen >= 2 });
  const stop = new AbortController();
  const error = await mirror({
    ...t.opts,
    signal: stop.signal,
    onProgress: (p) => void (p.bytes >= MiB && stop.abort()),
  }).then(() => undefined, (e) => e);
  assert(error instanceof MirrorInterruptedError, String(error));
  const kept = error.report.keptPartials ?? [];
  assertEquals(kept.map((k) => [k.key, k.size]), [["big.bin", SIZE]]);
  const bytes = kept[0]!.bytes;
  assert(bytes >= MiB && bytes < SIZE, `kept ${bytes}`);
  assertStringIncludes(
    error.message,
    `; big.bin stopped at ${
      (bytes / 1e6).toFixed(1)
    } MB of 8.4 MB, kept for the next run to resume)`,
  );
});

Deno.test("mirror store → local: a partial of an object replaced since is not used", async () => {
  await using t = await setUp();
  await t.s3.putObject("b", "d/big.bin", randomBytes(SIZE, 13));
  assertEquals((await mirror(t.cutOffAfter(4))).failed.length, 1);
  t.s3.clearFaults();
  const replaced = randomBytes(SIZE, 14); // same size, other bytes, other ETag
  await t.s3.putObject("b", "d/big.bin", replaced);
  await age(t.target);
  t.gets.length = 0;
  const next = await mirror(t.opts);
  assertEquals(next.failed.length, 0);
  assertEquals(md5Hex(await Deno.readFile(join(t.target, "big.bin"))), md5Hex(replaced));
  // The resume's If-Match failed (412); then all of it again.
  assertEquals(t.gets[0]?.status, 412);
  assert(starts(t.gets).includes(0), "fetched again from byte 0");
  assertEquals(await tempFiles(t.target), []);
});

Deno.test("mirror store → local: a resumed download counts only the bytes it fetched", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 15);
  await t.s3.putObject("b", "d/big.bin", data);
  assertEquals((await mirror(t.cutOffAfter(4))).failed.length, 1);
  t.s3.clearFaults();
  await age(t.target);
  t.gets.length = 0;
  const seen: { bytes: number; totalBytes?: number }[] = [];
  const next = await mirror({ ...t.opts, onProgress: (p) => void seen.push(p) });
  assertEquals([next.failed.length, next.transferred], [0, 1]);
  // Every GET asks for the rest from where the kept prefix ends: that is all that came.
  const from = Math.min(...starts(t.gets));
  assert(from >= MiB && from < SIZE, `resumed at ${from}`);
  assertEquals(next.bytes, SIZE - from, "the summary counts the bytes fetched, not the object");
  const most = Math.max(...seen.map((p) => p.bytes));
  assertEquals(most, SIZE - from, "nor does the progress count the kept prefix");
  for (const p of seen) {
    assert(p.totalBytes === undefined || p.bytes <= p.totalBytes, `${p.bytes} > ${p.totalBytes}`);
  }
});
