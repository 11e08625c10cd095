/**
 * A large download that a run leaves unfinished (the store stops answering
 * after every retry, an interrupt) is resumed by the next run from where it
 * stopped, with `Range` and `If-Match` on the ETag it started with, not
 * fetched again from byte 0; an object replaced meanwhile starts over, and
 * the result is verified whole either way.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { md5Hex, parseEtag } from "../src/hash.ts";
import { openStore } from "../src/store/open.ts";
import { type RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";
import { sweepDebris } from "../src/cache/maintenance.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { testS3Options } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;
const URI = "s3://b/d/big.bin";

/** A fake S3 with bucket `b`, its GET log, and caches on one dir (as separate runs). */
async function setUp() {
  const gets: RequestLogEntry[] = [];
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  const s3 = await startFakeS3({
    credentials: false,
    buckets: ["b"],
    onRequest: (e) => void (e.op === "GetObject" && gets.push(e)),
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-resume-" });
  const caches: AssetCache[] = [];
  const make = () => {
    const cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      // One try per request: a store that stops answering fails the run at once.
      store: testS3Options(s3, { maxAttempts: 1 }),
      warn: () => {},
      // 1 MiB ranges, one at a time: the run stops at a known range.
      download: { parallelThreshold: MiB, partSize: MiB, concurrency: 1, attempts: 1 },
    });
    caches.push(cache);
    return cache;
  };
  return {
    s3,
    dir,
    gets,
    make,
    /** Every GET fails from the `n`-th on (the store stops answering). */
    failGetsFrom(n: number) {
      let seen = 0;
      s3.failNext(1000, "internal", (t) => t.op === "GetObject" && ++seen >= n);
    },
    async [Symbol.asyncDispose]() {
      for (const c of caches) await c.close();
      await s3[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The first byte each GET asked for (0 for a GET without a range). */
function starts(gets: RequestLogEntry[]): number[] {
  return gets.map((g) => Number(/^bytes=(\d+)-/.exec(g.headers.range ?? "")?.[1] ?? 0));
}

Deno.test("a large download cut off for good is resumed by the next run, not restarted", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 3);
  await t.s3.putObject("b", "d/big.bin", data);
  await t.s3.putObject("b", "d/small.txt", "small");
  // The first GET (range 0) and ranges 1–3 arrive; then the store stops answering.
  t.failGetsFrom(5);
  await assertRejects(() => t.make().cache(URI));
  t.s3.clearFaults();
  // Later, and another download into the same directory first: its sweep
  // of dead downloads' temp files keeps a partial meant to be resumed.
  const later = new Date(Date.now() - 60_000);
  for (const name of await tempFiles(t.dir)) await Deno.utime(name, later, later);
  t.gets.length = 0;
  const next = t.make();
  await next.cache("s3://b/d/small.txt");
  const path = await next.cache(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
  const resumed = t.gets.filter((g) => g.path.includes("big.bin"));
  assertEquals(starts(resumed), [4, 5, 6, 7].map((i) => i * MiB));
  assert(resumed.every((g) => g.headers["if-match"] !== undefined), "every resume is If-Match");
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("a partial of an object replaced since is not used: the new version from byte 0", async () => {
  await using t = await setUp();
  await t.s3.putObject("b", "d/big.bin", randomBytes(SIZE, 3));
  t.failGetsFrom(5);
  await assertRejects(() => t.make().cache(URI));
  t.s3.clearFaults();
  const replaced = randomBytes(SIZE, 4); // same size, other bytes, other ETag
  await t.s3.putObject("b", "d/big.bin", replaced);
  t.gets.length = 0;
  const path = await t.make().cache(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(replaced));
  // The resume's If-Match failed (412); then all of it again.
  assertEquals(t.gets[0]?.status, 412);
  assertEquals(starts(t.gets.slice(1))[0], 0);
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("an aborted large download leaves its partial for the next run", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 5);
  await t.s3.putObject("b", "d/big.bin", data);
  const stop = new AbortController();
  const first = t.make();
  await assertRejects(() =>
    first.cache(URI, {
      signal: stop.signal,
      // Ctrl-C once half of it is in.
      onProgress: (p) => void (p.bytes >= SIZE / 2 && stop.abort()),
    })
  );
  await first.close();
  t.gets.length = 0;
  const path = await t.make().cache(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
  const at = starts(t.gets)[0] ?? 0;
  assert(at >= 3 * MiB, `resumed at ${at}`);
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("a partial and its resume state are swept once a day old", async () => {
  await using t = await setUp();
  await t.s3.putObject("b", "d/big.bin", randomBytes(SIZE, 3));
  t.failGetsFrom(5);
  await assertRejects(() => t.make().cache(URI));
  assertEquals((await tempFiles(t.dir)).length, 2); // the partial and its state
  assertEquals((await sweepDebris(t.dir)).files, 0); // kept to be resumed
  assert((await sweepDebris(t.dir, { now: Date.now() + 25 * 3600_000 })).files >= 1);
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("a multipart object resumes too: the kept parts are hashed again from the file", async () => {
  await using t = await setUp();
  const data = randomBytes(13 * MiB, 6);
  await using store = await openStore("s3://b", {
    s3: { ...testS3Options(t.s3).s3, multipartThreshold: 5 * MiB, partSize: 5 * MiB },
  });
  const { etag } = await store.put("d/big.bin", data);
  assertEquals(parseEtag(etag), { kind: "multipart", parts: 3 });
  // Parts 1 and 2 arrive, then the store stops answering.
  t.failGetsFrom(3);
  await assertRejects(() => t.make().cache(URI));
  t.s3.clearFaults();
  t.gets.length = 0;
  const path = await t.make().cache(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
  assertEquals(starts(t.gets), [10 * MiB]);
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("a damaged resume state, or kept bytes that are not the object's, end verified", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 7);
  await t.s3.putObject("b", "d/big.bin", data);
  const partial = async () => {
    t.failGetsFrom(5);
    await assertRejects(() => t.make().cache(URI));
    t.s3.clearFaults();
    const [state, temp] = (await tempFiles(t.dir)).sort();
    assert(state!.endsWith("-resume") && temp!.endsWith("-shared"), `${state} ${temp}`);
    return { state: state!, temp: temp! };
  };
  // A state cut short: not read; the partial is emptied and fetched from 0.
  const first = await partial();
  await Deno.writeTextFile(first.state, '{"format":1,"uri":');
  t.gets.length = 0;
  let path = await t.make().cache(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
  assertEquals(starts(t.gets)[0], 0);
  await t.make().delete(URI);
  // Kept bytes changed on the disk: the resumed file fails its check, and
  // is fetched again from scratch (still one call, the right bytes).
  const second = await partial();
  using f = await Deno.open(second.temp, { write: true });
  await f.write(new Uint8Array(16).fill(0x55));
  t.gets.length = 0;
  path = await t.make().cache(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
  assertEquals(starts(t.gets)[0], 4 * MiB);
  assert(starts(t.gets).includes(0), "fetched again from byte 0");
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("a resume answered with the whole object (Range ignored) starts over as one stream", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 8);
  await t.s3.putObject("b", "d/big.bin", data);
  // A proxy in front of the store, which may drop the Range header.
  let ignoreRange = false;
  await using proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    if (ignoreRange) headers.delete("range");
    return fetch(`${t.s3.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: req.body,
    });
  });
  const viaProxy = () =>
    new AssetCache({
      cacheDir: t.dir,
      configPath: false,
      env: {},
      store: testS3Options({ url: `http://127.0.0.1:${proxy.addr.port}` }, { maxAttempts: 1 }),
      warn: () => {},
      download: { parallelThreshold: MiB, partSize: MiB, concurrency: 1, attempts: 1 },
    });
  t.failGetsFrom(5);
  {
    await using first = viaProxy();
    await assertRejects(() => first.cache(URI));
  }
  t.s3.clearFaults();
  ignoreRange = true;
  t.gets.length = 0;
  await using second = viaProxy();
  const path = await second.cache(URI);
  assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
  assertEquals(t.gets.length, 2); // the resume (answered whole), then one stream
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("a download killed after its commit, before it removed its resume state, is no partial to keep", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-resume-" });
  try {
    const d = `${dir}/s3/b/d`;
    await Deno.mkdir(d, { recursive: true });
    // The data in place, still also named by the lock file, and the note beside it.
    await Deno.writeTextFile(`${d}/big.bin`, "complete");
    await Deno.link(`${d}/big.bin`, `${d}/.big.bin.vc-tmp-0-shared`);
    await Deno.writeTextFile(`${d}/.big.bin.vc-tmp-0-resume`, "{}");
    await sweepDebris(dir, { now: Date.now() + 60_000 });
    assertEquals(await tempFiles(dir), []);
    assertEquals(await Deno.readTextFile(`${d}/big.bin`), "complete");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a process waiting for the entry's lock resumes the partial its holder gave up", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 10);
  await t.s3.putObject("b", "d/big.bin", data);
  // The holder's fifth GET fails (the store stops answering it); the waiter's succeed.
  let seen = 0;
  t.s3.failNext(1, "internal", (r) => r.op === "GetObject" && ++seen === 5);
  // Two processes (cache objects of their own) at once: one holds the lock, one waits.
  const both = await Promise.allSettled([t.make().cache(URI), t.make().cache(URI)]);
  const done = both.filter((r) => r.status === "fulfilled");
  assertEquals(done.length, 1, "the holder failed, the waiter finished");
  assertEquals(md5Hex(await Deno.readFile(done[0]!.value)), md5Hex(data));
  // Ranges 0–3 once (the holder's), the failed one, then the waiter's rest.
  assertEquals(starts(t.gets), [0, 1, 2, 3, 4, 4, 5, 6, 7].map((i) => i * MiB));
  assertEquals(await tempFiles(t.dir), []);
});

Deno.test("a partial longer than the object is not resumed: its tail would be cached", async () => {
  await using t = await setUp();
  const data = randomBytes(SIZE, 12);
  await t.s3.putObject("b", "d/big.bin", data);
  t.failGetsFrom(5);
  await assertRejects(() => t.make().cache(URI));
  t.s3.clearFaults();
  // Bytes appended past the object's end (by hand, a tool, a damaged disk).
  const temp = (await tempFiles(t.dir)).find((name) => name.endsWith("-shared"))!;
  {
    using f = await Deno.open(temp, { write: true });
    await f.seek(SIZE + MiB, Deno.SeekMode.Start);
    await f.write(new TextEncoder().encode("appended"));
  }
  t.gets.length = 0;
  const path = await t.make().cache(URI);
  const got = await Deno.readFile(path);
  assertEquals([got.length, md5Hex(got)], [SIZE, md5Hex(data)]);
  assertEquals(starts(t.gets)[0], 0);
  assertEquals(await tempFiles(t.dir), []);
});

for (const link of ["symlink", "hard link"] as const) {
  Deno.test(`a resume state that is a ${link} is not written through: its other file stays`, async () => {
    await using t = await setUp();
    const data = randomBytes(SIZE, 13);
    await t.s3.putObject("b", "d/big.bin", data);
    t.failGetsFrom(5);
    await assertRejects(() => t.make().cache(URI));
    t.s3.clearFaults();
    // The note moved out of the cache (a file of someone else's), a link left in its place.
    const state = (await tempFiles(t.dir)).find((name) => name.endsWith("-resume"))!;
    const outside = `${t.dir}-outside.json`;
    try {
      await Deno.rename(state, outside);
      await (link === "symlink" ? Deno.symlink(outside, state) : Deno.link(outside, state));
      const before = await Deno.readTextFile(outside);
      t.gets.length = 0;
      const path = await t.make().cache(URI);
      assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
      assertEquals(await Deno.readTextFile(outside), before);
      assertEquals(starts(t.gets)[0], 0);
      assertEquals(await tempFiles(t.dir), []);
    } finally {
      await Deno.remove(outside).catch(() => {});
    }
  });
}

Deno.test("a large download cut off for good says how much it kept for the next run", async () => {
  await using t = await setUp();
  await t.s3.putObject("b", "d/big.bin", randomBytes(SIZE, 6));
  // The first GET (range 0) and ranges 1–3 arrive; then the store stops answering.
  t.failGetsFrom(5);
  const e = await assertRejects(() => t.make().cache(URI));
  // The error said only "try again": the bytes in (minutes of a large object) read as lost.
  assert(
    e.message.endsWith("; it stopped at 4.2 MB of 8.4 MB, kept for the next run to resume"),
    e.message,
  );
});

Deno.test("a large download that keeps nothing says nothing of a partial", async () => {
  await using t = await setUp();
  await t.s3.putObject("b", "d/big.bin", randomBytes(SIZE, 7));
  // The first GET fails: nothing was kept.
  t.failGetsFrom(1);
  const e = await assertRejects(() => t.make().cache(URI));
  assert(!e.message.includes("kept for the next run"), e.message);
  assertEquals(await tempFiles(t.dir), []);
});
