import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { downloadToFile } from "../src/store/download.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { IntegrityError, NotFoundError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { withTempDir } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(fn, "vc-download-");
}

async function sameBytes(path: string, expected: Uint8Array): Promise<void> {
  const got = await Deno.readFile(path);
  assertEquals(got.length, expected.length, `size of ${path}`);
  assertEquals(md5Hex(got), md5Hex(expected), `content of ${path}`);
}

Deno.test("small object: one GET, verified by MD5, no temp file left", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(4096);
    store.set("a/b.bin", data);
    const info = await downloadToFile(store, "a/b.bin", `${dir}/sub/b.bin`);
    await sameBytes(`${dir}/sub/b.bin`, data);
    assertEquals(info.size, 4096);
    assertEquals(info.md5, md5Hex(data));
    assertEquals(store.counts, { head: 0, get: 1, rangedGet: 0 });
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("empty object downloads to an empty file", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    store.set("empty", new Uint8Array());
    const info = await downloadToFile(store, "empty", `${dir}/empty`);
    assertEquals(info.size, 0);
    assertEquals((await Deno.stat(`${dir}/empty`)).size, 0);
  });
});

Deno.test("multipart ETags are verified for several part sizes, sequential and parallel", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(21 * MiB + 12345, 7);
    for (const partSize of [5 * MiB, 8 * MiB, 16 * MiB]) {
      store.set(`p${partSize}`, data, { etag: { partSize } });
      for (const parallelThreshold of [Infinity, 4 * MiB]) {
        const dest = `${dir}/p${partSize}-${parallelThreshold}`;
        await downloadToFile(store, `p${partSize}`, dest, { parallelThreshold, partSize: 4 * MiB });
        await sameBytes(dest, data);
      }
    }
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("parallel download uses ranged GETs with a bounded number in flight", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(10 * MiB + 1, 3);
    // Multipart: its parts are hashed independently, so ranges go in parallel.
    store.set("big", data, { etag: { partSize: MiB } });
    let inFlight = 0;
    let peak = 0;
    const get = store.get.bind(store);
    store.get = async (key, options) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        const r = await get(key, options);
        await new Promise((res) => setTimeout(res, 5));
        return r;
      } finally {
        inFlight--;
      }
    };
    const progress: number[] = [];
    const info = await downloadToFile(store, "big", `${dir}/big`, {
      parallelThreshold: 1 * MiB,
      partSize: MiB,
      concurrency: 3,
      onProgress: (p) => progress.push(p.bytes),
    });
    await sameBytes(`${dir}/big`, data);
    assertEquals(info.size, data.length);
    // The first GET serves range 0, then 10 ranged GETs. This store's bodies
    // are JavaScript streams, which cannot be piped natively: the first piped
    // range falls short and the rest of it is fetched chunk by chunk (one more).
    assertEquals(store.counts.get, 12);
    assertEquals(store.counts.rangedGet, 11);
    assert(peak <= 3, `peak ${peak} ranged GETs in flight`);
    assertEquals(progress.at(-1), data.length);
  });
});

Deno.test("large single-part object: parallel ranged GETs, MD5 of the completed prefix", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(MiB + 3, 11);
    store.set("big", data);
    // Counts the ranged GETs and how many are in flight at once.
    let inFlight = 0;
    let peak = 0;
    const ranges: number[] = [];
    const get = store.get.bind(store);
    store.get = async (key, options) => {
      if (options?.range !== undefined) ranges.push(options.range.start);
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        const r = await get(key, options);
        await new Promise((res) => setTimeout(res, 2));
        return r;
      } finally {
        inFlight--;
      }
    };
    const progress: number[] = [];
    const info = await downloadToFile(store, "big", `${dir}/big`, {
      parallelThreshold: MiB,
      partSize: 256 * 1024,
      concurrency: 3,
      onProgress: (p) => progress.push(p.bytes),
    });
    await sameBytes(`${dir}/big`, data);
    assertEquals(info.md5, md5Hex(data));
    // The first GET serves range 0; ranges 1..4 (the last one 3 bytes) each
    // take a ranged GET (this store's bodies cannot be piped natively, so the
    // first piped range also falls short once and needs one more).
    for (const start of [1, 2, 3, 4].map((i) => i * 256 * 1024)) {
      assert(ranges.includes(start), `a ranged GET from ${start}: ${ranges}`);
    }
    assert(store.counts.rangedGet >= 4, `ranged GETs: ${store.counts.rangedGet}`);
    assert(peak <= 3, `peak ${peak} GETs in flight`);
    assertEquals(progress.at(-1), data.length);
    assertEquals(await tempFiles(dir), []);
    // With a known size, no whole-object GET: only ranged GETs with If-Match.
    store.counts = { head: 0, get: 0, rangedGet: 0 };
    const again = await downloadToFile(store, "big", `${dir}/big2`, {
      expected: info,
      parallelThreshold: MiB,
      partSize: 256 * 1024,
    });
    assertEquals(again.md5, md5Hex(data));
    await sameBytes(`${dir}/big2`, data);
    assertEquals(store.counts.get, store.counts.rangedGet);
    assert(store.counts.rangedGet >= 5, `ranged GETs: ${store.counts.rangedGet}`);
  });
});

Deno.test("large single-part object: a corrupted range fails the MD5, nothing at the destination", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(MiB, 12);
    const info = store.set("k", data);
    // One ranged GET's body has a byte flipped: same length, wrong content
    // (one attempt: download_corrupt_retry_test.ts has the retry).
    store.fail("corrupt", 1, ["get"], true);
    const e = await assertRejects(
      () =>
        downloadToFile(store, "k", `${dir}/k`, {
          expected: info,
          parallelThreshold: MiB,
          partSize: 256 * 1024,
          attempts: 1,
        }),
      IntegrityError,
      md5Hex(data),
    );
    assertStringIncludes(e.message, "ETag");
    assert(store.counts.rangedGet >= 4, `ranged GETs: ${store.counts.rangedGet}`);
    await assertRejects(() => Deno.stat(`${dir}/k`), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("large single-part object: ranges stay within a window of the hashed prefix", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(MiB, 14);
    const info = store.set("k", data);
    const range = 64 * 1024;
    // The range at 64 KiB (range 1) is held until the test releases it: the
    // MD5 prefix cannot pass it meanwhile.
    let release: (() => void) | undefined;
    let holding = false;
    let furthest = 0;
    let calls = 0;
    const consumed = new Set<number>();
    const get = store.get.bind(store);
    store.get = async (key, options) => {
      calls++;
      const index = (options?.range?.start ?? 0) / range;
      if (holding) furthest = Math.max(furthest, index);
      if (index !== 1) {
        const r = await get(key, options);
        const body = r.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({ flush: () => void consumed.add(index) }),
        );
        return { info: r.info, body };
      }
      holding = true;
      await new Promise<void>((res) => (release = res));
      holding = false;
      return await get(key, options);
    };
    const download = downloadToFile(store, "k", `${dir}/k`, {
      expected: info,
      parallelThreshold: MiB,
      partSize: range,
      concurrency: 2,
    });
    // Event-loop turns, not time: wait until ranges 2..4 were fetched behind
    // the held range, then until no new request came for 20 turns.
    const turn = () => new Promise((r) => setTimeout(r, 0));
    for (let i = 0; i < 10_000 && !(release && [2, 3, 4].every((n) => consumed.has(n))); i++) {
      await turn();
    }
    for (let quiet = 0, seen = calls, i = 0; quiet < 20 && i < 10_000; i++) {
      await turn();
      quiet = calls === seen ? quiet + 1 : 0;
      seen = calls;
    }
    assert(release !== undefined, "range 1 was never requested");
    const furthestWhileHeld = furthest;
    release();
    const got = await download;
    assertEquals(got.md5, md5Hex(data));
    await sameBytes(`${dir}/k`, data);
    furthest = furthestWhileHeld;
    // Window of 2 × concurrency past the slow range 1: ranges 2..4, then a wait.
    assert(furthest >= 2 && furthest <= 4, `furthest range started meanwhile: ${furthest}`);
  });
});

Deno.test("large single-part object without a hash worker: hashed after the parallel download", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(MiB, 15);
    const info = store.set("k", data);
    const RealWorker = globalThis.Worker;
    // A runtime (or a compiled binary) where the worker cannot start.
    globalThis.Worker = class {
      constructor() {
        throw new Error("no workers here");
      }
    } as unknown as typeof Worker;
    try {
      const options = { expected: info, parallelThreshold: MiB, partSize: 256 * 1024 };
      const got = await downloadToFile(store, "k", `${dir}/k`, options);
      assertEquals(got.md5, md5Hex(data));
      await sameBytes(`${dir}/k`, data);
      assert(store.counts.rangedGet >= 4, `ranged GETs: ${store.counts.rangedGet}`);
      store.fail("corrupt", 1, ["get"], true);
      await assertRejects(
        () => downloadToFile(store, "k", `${dir}/bad`, { ...options, attempts: 1 }),
        IntegrityError,
        md5Hex(data),
      );
      await assertRejects(() => Deno.stat(`${dir}/bad`), Deno.errors.NotFound);
      assertEquals(await tempFiles(dir), []);
    } finally {
      globalThis.Worker = RealWorker;
    }
  });
});

Deno.test("large single-part object: truncated and reset bodies are resumed, then verified", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(4 * MiB + 5, 13);
    store.set("k", data);
    store.fail("truncate");
    store.fail("reset");
    const info = await downloadToFile(store, "k", `${dir}/k`, { parallelThreshold: MiB });
    await sameBytes(`${dir}/k`, data);
    assertEquals(info.md5, md5Hex(data));
    // A corrupt body is still caught, after a confirming read of the file.
    store.always = "corrupt";
    await assertRejects(
      () => downloadToFile(store, "k", `${dir}/bad`, { parallelThreshold: MiB }),
      IntegrityError,
      md5Hex(data),
    );
    await assertRejects(() => Deno.stat(`${dir}/bad`), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("with a known size, large objects skip the initial GET and use If-Match", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(3 * MiB, 5);
    const info = store.set("k", data, { etag: { partSize: MiB } });
    await downloadToFile(store, "k", `${dir}/k`, {
      expected: info,
      parallelThreshold: MiB,
      partSize: MiB,
    });
    await sameBytes(`${dir}/k`, data);
    assertEquals(store.counts, { head: 0, get: 3, rangedGet: 3 });
  });
});

Deno.test("opaque ETags: size only, or vc-md5 metadata when present", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(100_000);
    store.set("plain", data, { etag: "opaque" });
    const a = await downloadToFile(store, "plain", `${dir}/plain`);
    // Nothing to compare with: the MD5 of what arrived, for later local checks.
    assertEquals(a.md5, md5Hex(data));
    store.set("tagged", data, { etag: "opaque", metadata: { "vc-md5": md5Hex(data) } });
    const b = await downloadToFile(store, "tagged", `${dir}/tagged`);
    assertEquals(b.md5, md5Hex(data));
    store.set("wrong", data, { etag: "opaque", metadata: { "vc-md5": md5Hex("other") } });
    const e = await assertRejects(
      () => downloadToFile(store, "wrong", `${dir}/wrong`),
      IntegrityError,
      "vc-md5",
    );
    assertStringIncludes(e.message, md5Hex(data));
    await assertRejects(() => Deno.stat(`${dir}/wrong`), Deno.errors.NotFound);
  });
});

Deno.test("corrupted body: IntegrityError naming URI, expected and actual; old file untouched", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(300_000);
    store.set("k.bin", data);
    await Deno.writeTextFile(`${dir}/k.bin`, "previous verified version");
    store.always = "corrupt";
    const e = await assertRejects(
      () => downloadToFile(store, "k.bin", `${dir}/k.bin`, { uri: "s3://b/k.bin" }),
      IntegrityError,
      "s3://b/k.bin",
    );
    assertStringIncludes(e.message, md5Hex(data)); // expected
    assertStringIncludes(e.message, `${dir}/k.bin`);
    assertEquals(await Deno.readTextFile(`${dir}/k.bin`), "previous verified version");
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("corrupted multipart part in a parallel download is detected", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(12 * MiB, 9);
    store.set("mp", data, { etag: { partSize: 5 * MiB } });
    store.fail("corrupt", 1, ["get"], true); // one ranged GET, and one attempt
    await assertRejects(
      () => downloadToFile(store, "mp", `${dir}/mp`, { parallelThreshold: MiB, attempts: 1 }),
      IntegrityError,
      "multipart ETag",
    );
    await assertRejects(() => Deno.stat(`${dir}/mp`), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("truncated and reset bodies are resumed with ranged GETs", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(1 * MiB + 17);
    store.set("k", data);
    store.fail("truncate");
    store.fail("reset");
    store.fail("503");
    await downloadToFile(store, "k", `${dir}/k`);
    await sameBytes(`${dir}/k`, data);
    // GET (truncated at 1/2) → range (reset at 1/4) → 503 → range completes.
    assertEquals(store.counts.get, 4);
  });
});

Deno.test("a body that keeps failing without progress ends in an error, no file", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    store.set("k", randomBytes(1000));
    store.always = "503";
    await assertRejects(() => downloadToFile(store, "k", `${dir}/k`, { attempts: 2 }));
    assertEquals(store.counts.get, 2);
    // Truncated bodies make progress (half of what is left) until they don't.
    store.always = "truncate";
    const e = await assertRejects(
      () => downloadToFile(store, "k", `${dir}/k`, { attempts: 3 }),
      IntegrityError,
    );
    assertStringIncludes(e.message, "body ended");
    await assertRejects(() => Deno.stat(`${dir}/k`), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("an object replaced mid-download is restarted, never mixed", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const v1 = randomBytes(4 * MiB, 1);
    const v2 = randomBytes(4 * MiB, 2);
    // Multipart, so the download uses parallel ranged GETs after the first GET.
    store.set("k", v1, { etag: { partSize: MiB } });
    const get = store.get.bind(store);
    let swapped = false;
    store.get = (key, options) => {
      // Replace the object as soon as the first ranged GET is made.
      if (options?.range !== undefined && !swapped) {
        swapped = true;
        store.set("k", v2, { etag: { partSize: MiB } });
      }
      return get(key, options);
    };
    const info = await downloadToFile(store, "k", `${dir}/k`, {
      parallelThreshold: MiB,
      partSize: MiB,
    });
    await sameBytes(`${dir}/k`, v2);
    assertEquals(info.etag, store.set("k2", v2, { etag: { partSize: MiB } }).etag);
  });
});

Deno.test("a single-part object replaced while its stream is resumed is restarted", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const v1 = randomBytes(4 * MiB, 3);
    const v2 = randomBytes(4 * MiB, 4);
    store.set("k", v1);
    store.fail("truncate"); // the first body ends early: the rest needs a ranged GET
    const get = store.get.bind(store);
    let swapped = false;
    store.get = (key, options) => {
      if (options?.range !== undefined && !swapped) {
        swapped = true;
        store.set("k", v2);
      }
      return get(key, options);
    };
    const info = await downloadToFile(store, "k", `${dir}/k`, { parallelThreshold: MiB });
    await sameBytes(`${dir}/k`, v2);
    assertEquals(info.md5, md5Hex(v2));
  });
});

Deno.test("missing object: NotFoundError, nothing written", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    await assertRejects(() => downloadToFile(store, "nope", `${dir}/nope`), NotFoundError);
    assertEquals(await tempFiles(dir), []);
    assertEquals([...Deno.readDirSync(dir)].length, 0);
  });
});

for (
  const { name, size, parallelThreshold } of [
    { name: "abort removes the temp file and leaves the destination alone", size: 2 * MiB },
    {
      name: "abort during a streamed large download removes the temp file",
      size: 4 * MiB,
      parallelThreshold: MiB,
    },
  ]
) {
  Deno.test(name, async () => {
    await withDir(async (dir) => {
      const store = new FaultStore();
      store.set("k", randomBytes(size));
      store.chunkDelayMs = 5;
      const controller = new AbortController();
      const p = downloadToFile(store, "k", `${dir}/k`, {
        ...(parallelThreshold === undefined ? {} : { parallelThreshold }),
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytes > 256 * 1024) controller.abort(new Error("stop"));
        },
      });
      await assertRejects(() => p, Error, "stop");
      assertEquals(await tempFiles(dir), []);
      await assertRejects(() => Deno.stat(`${dir}/k`), Deno.errors.NotFound);
    });
  });
}

Deno.test("extra bytes beyond the announced size are an IntegrityError", async () => {
  await withDir(async (dir) => {
    const store = new FaultStore();
    const info = store.set("k", "hello");
    const get = store.get.bind(store);
    store.get = async (key, options) => {
      const r = await get(key, options);
      return { info: { ...r.info, size: 3 }, body: r.body };
    };
    void info;
    await assertRejects(() => downloadToFile(store, "k", `${dir}/k`), IntegrityError, "more than");
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("an ETag the store marks opaque (SSE-KMS) is not taken for an MD5", async () => {
  // SSE-KMS objects have 32-hex-digit ETags that are not their MD5.
  class KmsStore extends FaultStore {
    override async get(key: string, options?: GetOptions): Promise<GetResult> {
      const result = await super.get(key, options);
      result.info.opaqueEtag = true;
      return result;
    }
  }
  await withDir(async (dir) => {
    const data = randomBytes(4096);
    const lookalike = { explicit: md5Hex("not the content") };
    const plain = new FaultStore();
    plain.set("k", data, { etag: lookalike });
    await assertRejects(() => downloadToFile(plain, "k", `${dir}/plain`), IntegrityError);

    const kms = new KmsStore();
    kms.set("k", data, { etag: lookalike });
    const info = await downloadToFile(kms, "k", `${dir}/kms`);
    await sameBytes(`${dir}/kms`, data);
    // Not compared with the ETag: the MD5 of what arrived, for later local checks.
    assertEquals(info.md5, md5Hex(data));
    // vc's own MD5 metadata still verifies such objects.
    kms.set("m", data, { etag: lookalike, metadata: { "vc-md5": md5Hex("other") } });
    await assertRejects(() => downloadToFile(kms, "m", `${dir}/m`), IntegrityError);
    assertEquals(await tempFiles(dir), []);
  });
});

Deno.test("a pinned download from an endpoint answering without an ETag says so, not 'replaced'", async () => {
  // A captive portal or proxy answers every GET with its own page: no ETag,
  // another size than the pinned one. The message must point at the endpoint.
  await withDir(async (dir) => {
    const portal = new FaultStore();
    portal.set("k", "<html>log in first</html>", { etag: { explicit: "" } });
    const e = await assertRejects(
      () =>
        downloadToFile(portal, "k", `${dir}/k`, {
          integrity: { size: 4, sha256: "0".repeat(64) },
        }),
      IntegrityError,
    );
    assertStringIncludes(e.message, "proxy or captive portal");
    assert(!e.message.includes("replaced or corrupted"), e.message);
    assertEquals(await tempFiles(dir), []);
  });
});
