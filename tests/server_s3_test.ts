/**
 * The cache service over S3Store on the in-process fake S3: streamed
 * multipart uploads of unknown size, atomic replacement under concurrent
 * readers, a cut-off multipart upload, and CacheClient / withCache.
 */
import { md5Hex } from "../src/hash.ts";
import { CacheClient, CacheServiceError, withCache } from "../src/server/client.ts";
import { TokenFileAuth } from "../src/server/auth.ts";
import type { S3Store } from "../src/store/s3.ts";
import type { GetOptions, ObjectStore, PutOptions } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { keys, newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

const MiB = 1024 * 1024;

async function s3Service(wrap: (store: S3Store) => ObjectStore = (s) => s) {
  const fake = await startFakeS3({ buckets: ["cache"] });
  const s3 = serviceS3Store(fake.url, "svc");
  const t = await startService({ store: wrap(s3) });
  return {
    t,
    fake,
    async [Symbol.asyncDispose]() {
      try {
        await t[Symbol.asyncDispose]();
      } finally {
        await fake[Symbol.asyncDispose]();
      }
    },
  };
}

/**
 * Two services over one S3 store (two processes' handlers behind one load
 * balancer): `a`, whose store it is, and a second one, with a client of
 * alice's through each. Disposing them shuts both down.
 */
async function twoServices() {
  await using stack = new AsyncDisposableStack();
  const a = stack.use(await s3Service());
  // The first service closes it.
  const shared: ObjectStore = overriding(a.t.store, { close: () => Promise.resolve() });
  const b = stack.use(
    await startService({ store: shared, auth: new TokenFileAuth({ path: a.t.tokenFile }) }),
  );
  const alice = a.t.tokens.alice;
  const owned = stack.move();
  return {
    a,
    viaA: new CacheClient({ url: a.t.url, token: alice }),
    viaB: new CacheClient({ url: b.url, token: alice }),
    [Symbol.asyncDispose]: () => owned.disposeAsync(),
  };
}

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

Deno.test("serve over S3: a 12 MiB streamed upload goes up in parts and comes back intact", async () => {
  await using s = await s3Service();
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const { cacheId } = await client.id({ big: true });
  const data = pattern(12 * MiB + 123, 7);
  const path = `${s.t.dir}/big.bin`;
  await Deno.writeFile(path, data);
  let sent = { bytes: 0, total: 0 as number | undefined };
  // Streamed from the file, unknown length to the server.
  await client.put(cacheId, { path }, { onProgress: (p) => (sent = { ...sent, ...p }) });
  assertEquals(sent, { bytes: data.length, total: data.length });
  assert(s.fake.stats.CreateMultipartUpload >= 1, "expected a multipart upload");
  const back = await client.getBytes(cacheId);
  assertEquals(back?.length, data.length);
  assertEquals(md5Hex(back!), md5Hex(data));
  const range = await client.get(cacheId, { range: `bytes=${6 * MiB}-${6 * MiB + 9}` });
  assertEquals(new Uint8Array(await range!.arrayBuffer()), data.subarray(6 * MiB, 6 * MiB + 10));
  const out = `${s.t.dir}/out.bin`;
  let received = 0;
  assert(await client.download(cacheId, out, { onProgress: (p) => (received = p.bytes) }));
  assertEquals(received, data.length);
  assertEquals(md5Hex(await Deno.readFile(out)), md5Hex(data));
});

Deno.test("serve over S3: a large download relays the store's own body; small reads are read whole", async () => {
  const dataGets: GetOptions[] = [];
  // Records the options of every data read, passing everything through.
  const recording = (store: S3Store): ObjectStore =>
    overriding(store, {
      get: (key: string, options: GetOptions = {}) => {
        if (key.startsWith("data/")) dataGets.push(options);
        return store.get(key, options);
      },
    });
  await using s = await s3Service(recording);
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const { cacheId } = await client.id({ raw: 1 });
  const data = pattern(3 * MiB + 5, 3); // over the 1 MiB the store would read whole
  await client.put(cacheId, data);
  assertEquals(md5Hex((await client.getBytes(cacheId))!), md5Hex(data));
  const range = await client.get(cacheId, { range: `bytes=${2 * MiB}-${2 * MiB + 99}` });
  assertEquals(new Uint8Array(await range!.arrayBuffer()), data.subarray(2 * MiB, 2 * MiB + 100));
  const big = await client.get(cacheId, { range: `bytes=${MiB}-${2 * MiB - 1}` });
  assertEquals(new Uint8Array(await big!.arrayBuffer()), data.subarray(MiB, 2 * MiB));
  assertEquals(dataGets.length, 3);
  assertEquals(dataGets.map((o) => o.rawBody), [true, false, true]);
  assertEquals(dataGets[1]!.range, { start: 2 * MiB, end: 2 * MiB + 99 });
});

Deno.test("serve over S3: a delete racing an upload removes the new file too, with plain DELETEs", async () => {
  const late: { client?: CacheClient } = {};
  let raced = false;
  // Just before the delete claims the entry (a conditional write of its
  // metadata, marked as being removed), another upload replaces the file.
  const racing = (store: S3Store): ObjectStore =>
    overriding(store, {
      put: async (key: string, body: Uint8Array, options: PutOptions = {}) => {
        const claim = key.startsWith("meta/") && options.ifMatch !== undefined &&
          new TextDecoder().decode(body).includes('"removing":true');
        if (!raced && claim) {
          raced = true;
          const { cacheId } = await late.client!.id({ race: 1 });
          await late.client!.put(cacheId, new TextEncoder().encode("newer"));
        }
        return await store.put(key, body, options);
      },
    });
  await using s = await s3Service(racing);
  const client = late.client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const { cacheId } = await client.id({ race: 1 });
  await client.put(cacheId, new TextEncoder().encode("older"));
  await client.rm(cacheId);
  assert(raced, "the upload ran between the read and the delete");
  assertEquals(await client.getBytes(cacheId), undefined);
  assertEquals(await keys(s.t.store, ""), []); // no orphaned data of either upload
  assertEquals(s.fake.stats.DeleteObjects ?? 0, 0);
});

/** Passes everything to `store`, counting the reads of each key prefix. */
function countingReads(store: ObjectStore, reads: Map<string, number>): ObjectStore {
  return overriding(store, {
    get: (key: string, options?: GetOptions) => {
      const prefix = key.split("/")[0]!;
      reads.set(prefix, (reads.get(prefix) ?? 0) + 1);
      return store.get(key, options);
    },
  });
}

Deno.test("serve over S3: an upload right after cache_id switches the entry without reading it", async () => {
  const reads = new Map<string, number>();
  await using s = await s3Service((store) => countingReads(store, reads));
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const { cacheId } = await client.id({ hint: 1 });
  await client.put(cacheId, new TextEncoder().encode("one"));
  await client.put(cacheId, new TextEncoder().encode("two"));
  assertEquals(reads.get("meta") ?? 0, 0);
  assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "two");
  assertEquals(reads.get("meta"), 1); // downloads always read the metadata
  assertEquals((await keys(s.t.store, "data/")).length, 1);
});

Deno.test("serve over S3: an upload whose remembered metadata another process changed reads it afresh", async () => {
  await using services = await twoServices();
  const { a, viaA, viaB } = services;
  const { cacheId } = await viaA.id({ two: "processes" });
  await viaB.put(cacheId, new TextEncoder().encode("from B"));
  await viaA.put(cacheId, new TextEncoder().encode("from A")); // A still remembers the placeholder
  assertEquals(new TextDecoder().decode(await viaB.getBytes(cacheId)), "from A");
  assertEquals((await keys(a.t.store, "data/")).length, 1); // B's file was replaced and deleted
  await viaB.rm(cacheId);
  // A remembers the entry it wrote; the delete in B makes A's next upload a 404.
  const gone = await assertRejects(
    () => viaA.put(cacheId, new TextEncoder().encode("late")),
    CacheServiceError,
  );
  assertEquals(gone.status, 404);
  assertEquals(await keys(a.t.store, ""), []);
});

Deno.test("serve over S3: a download asks for the data it knows while it reads the metadata", async () => {
  const { promise: dataAsked, resolve } = Promise.withResolvers<"data first">();
  let order: string | undefined;
  // The metadata read waits (bounded) for the data read to start.
  const latch = (store: S3Store): ObjectStore =>
    overriding(store, {
      get: async (key: string, options?: GetOptions) => {
        if (key.startsWith("data/")) resolve("data first");
        if (key.startsWith("meta/") && order === undefined && armed) {
          const timer = Promise.withResolvers<"metadata alone">();
          const t = setTimeout(() => timer.resolve("metadata alone"), 5_000);
          order = await Promise.race([dataAsked, timer.promise]);
          clearTimeout(t);
        }
        return await store.get(key, options);
      },
    });
  let armed = false;
  await using s = await s3Service(latch);
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const { cacheId } = await client.id({ early: 1 });
  await client.put(cacheId, new TextEncoder().encode("early bytes"));
  armed = true;
  assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "early bytes");
  assertEquals(order, "data first");
});

Deno.test("serve over S3: a download whose known data another process replaced serves the new file", async () => {
  await using services = await twoServices();
  const { viaA, viaB } = services;
  const { cacheId } = await viaA.id({ replaced: 1 });
  await viaA.put(cacheId, new TextEncoder().encode("first version"));
  await viaB.put(cacheId, new TextEncoder().encode("second, longer version"));
  assertEquals(new TextDecoder().decode(await viaA.getBytes(cacheId)), "second, longer version");
  const part = await viaA.get(cacheId, { range: "bytes=8-13" });
  assertEquals(await part!.text(), "longer");
  await viaB.rm(cacheId);
  assertEquals(await viaA.getBytes(cacheId), undefined);
});

Deno.test("serve over S3: readers see the old or the new file during replacements", async () => {
  await using s = await s3Service();
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const { cacheId } = await client.id({ swap: 1 });
  const versions = [0, 1, 2, 3].map((v) => pattern(256 * 1024, v));
  const digests = new Set(versions.map(md5Hex));
  await client.put(cacheId, versions[0]!);
  const writers = versions.slice(1).map((v) => client.put(cacheId, v));
  const readers = Array.from({ length: 12 }, async () => {
    const got = await client.getBytes(cacheId);
    assert(got !== undefined && digests.has(md5Hex(got)), "a reader saw a mixed or partial file");
  });
  await Promise.all([...writers, ...readers]);
  // Exactly one data object is left: every replaced one was deleted.
  assertEquals((await keys(s.t.store, "data/")).length, 1);
});

Deno.test("serve over S3: a multipart upload cut off mid-way leaves the previous file", async () => {
  await using s = await s3Service();
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const { cacheId } = await client.id({ cut: 1 });
  await client.put(cacheId, new TextEncoder().encode("previous"));
  const before = await keys(s.t.store, "data/");
  const abort = new AbortController();
  let chunks = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (chunks === 0) {
        controller.enqueue(
          new TextEncoder().encode(
            '--B\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n',
          ),
        );
      } else if (chunks <= 160) controller.enqueue(new Uint8Array(64 * 1024)); // 10 MiB: 2 parts
      else {
        await new Promise((r) => setTimeout(r, 100));
        abort.abort();
        controller.error(new Error("cut"));
      }
      chunks++;
    },
  });
  await fetch(`${s.t.url}/v1/cache/${cacheId}`, {
    method: "POST",
    headers: { authorization: s.t.tokens.alice, "content-type": "multipart/form-data; boundary=B" },
    body,
    signal: abort.signal,
  }).then((r) => r.body?.cancel(), () => {});
  for (let i = 0; i < 300 && !s.t.logs.some((l) => JSON.parse(l).status >= 400); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert(s.t.logs.some((l) => JSON.parse(l).status === 400), "the server saw the cut-off");
  assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "previous");
  assertEquals(await keys(s.t.store, "data/"), before);
  assert(s.fake.stats.AbortMultipartUpload >= 1, "the partial multipart upload was aborted");
});

Deno.test("client: withCache computes once; errors carry the status", async () => {
  await using s = await s3Service();
  const client = new CacheClient({ url: `${s.t.url}/`, token: s.t.tokens.alice });
  let runs = 0;
  const compute = () => Promise.resolve(new TextEncoder().encode(`run ${++runs}`));
  const a = await withCache({ step: "x", n: 1 }, compute, { client, filename: "x.txt" });
  const b = await client.withCache({ n: 1, step: "x" }, compute);
  const c = await client.withCache({ step: "x", n: 2 }, compute);
  assertEquals(new TextDecoder().decode(a), "run 1");
  assertEquals(new TextDecoder().decode(b), "run 1");
  assertEquals(new TextDecoder().decode(c), "run 2");
  assertEquals(runs, 2);
  const bad = new CacheClient({ url: s.t.url, token: "nope" });
  const e = await assertRejects(() => bad.id({ a: 1 }), CacheServiceError);
  assertEquals(e.status, 401);
  const other = new CacheClient({ url: s.t.url, token: s.t.tokens.bob });
  const { cacheId } = await client.id({ step: "x", n: 1 });
  const denied = await assertRejects(() => other.rm(cacheId), CacheServiceError);
  assertEquals(denied.status, 403);
});

Deno.test("serve expire: a multipart upload a killed service left is aborted once a day old", async () => {
  await using env = await s3Service();
  const { t, fake } = env;
  // Something of the service's, so its uploads can be dated against it.
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: "kept" });
  assertEquals((await upload(t.url, t.tokens.alice, doc.cache_id as string, "x")).status, 200);
  // Started and never completed, as a service killed mid-upload leaves it.
  const { S3Client, CreateMultipartUploadCommand, ListMultipartUploadsCommand } = await import(
    "@aws-sdk/client-s3"
  );
  const client = new S3Client({
    endpoint: fake.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    await client.send(
      new CreateMultipartUploadCommand({ Bucket: "cache", Key: "svc/data/abc/dead-upload" }),
    );
    const pending = async () =>
      (await client.send(new ListMultipartUploadsCommand({ Bucket: "cache" }))).Uploads?.length ??
        0;
    // Young: may be an upload in flight.
    assertEquals((await t.service.handler.entries.sweep()).uploadsAborted, 0);
    assertEquals(await pending(), 1);
    t.clock.advance(2 * 86_400_000);
    assertEquals((await t.service.handler.entries.sweep()).uploadsAborted, 1);
    assertEquals(await pending(), 0);
  } finally {
    client.destroy();
  }
});
