/**
 * A usage write (`--max-bytes-per-identity`) that the store made but whose
 * answer was lost (a reset, a proxy's 500 after S3 stored it): the store's
 * retry of the compare-and-swap PUT gets 412, since the object is already
 * the one this write made. The counter must take that as its own write
 * landed, not as another writer's, and count the change once (it was added
 * again, and the owner refused uploads for quota not used).
 */
import { PreconditionFailedError } from "../src/errors.ts";
import { UsageCounter } from "../src/server/quota.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { keys, newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

const OWNER = "token-file:alice";
const isUsageWrite = (r: { op: string; key?: string }) =>
  r.op === "PutObject" && (r.key ?? "").startsWith("svc/usage/");

Deno.test("serve over S3: a usage write whose answer is lost counts once (first and later writes)", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using t = await startService({
    store: serviceS3Store(fake.url, "svc"),
    maxBytesPerIdentity: 30,
  });
  const token = t.tokens.alice;
  const usage = new UsageCounter(t.store, Infinity);
  const id = async (n: number) => (await newCacheId(t.url, token, { n })).doc.cache_id as string;
  // The first write creates the usage object, the second changes it.
  for (const i of [0, 1]) {
    fake.failNext(1, "lostResponse", isUsageWrite);
    const up = await upload(t.url, token, await id(i), "ten bytes!");
    assertEquals(up.status, 200, JSON.stringify(up.doc));
    assertEquals(await usage.bytes(OWNER), 10 * (i + 1));
  }
  assertEquals((await keys(t.store, "usage/")).length, 1);
  // The room left is the quota's last 10 bytes (it was refused, 413).
  const last = await upload(t.url, token, await id(2), "ten bytes!");
  assertEquals(last.status, 200, JSON.stringify(last.doc));
  assertEquals(await usage.bytes(OWNER), 30);
});

Deno.test("UsageCounter over S3: concurrent writers with lost answers sum exactly", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using store = serviceS3Store(fake.url, "svc");
  const writers = Array.from({ length: 8 }, () => new UsageCounter(store, Infinity));
  const usage = new UsageCounter(store, Infinity);
  await usage.add(OWNER, 1);
  // Every other usage write loses its answer, while eight writers race.
  fake.failNext(12, "lostResponse", isUsageWrite);
  const rounds = 5;
  await Promise.all(writers.map(async (writer, w) => {
    for (let round = 0; round < rounds; round++) await writer.add(OWNER, w + 1);
  }));
  assertEquals(await usage.bytes(OWNER), 1 + rounds * (8 * 9 / 2));
});

Deno.test("UsageCounter over S3: a usage object written before writes were named still counts once", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using store = serviceS3Store(fake.url, "svc");
  const usage = new UsageCounter(store, Infinity);
  await usage.set(OWNER, 7); // {owner, bytes}, as earlier versions wrote it
  fake.failNext(1, "lostResponse", isUsageWrite);
  await usage.add(OWNER, 5);
  assertEquals(await usage.bytes(OWNER), 12);
  await usage.add(OWNER, -2);
  assertEquals(await usage.bytes(OWNER), 10);
});

/**
 * `inner`, where the first conditional put of a usage object lands, then
 * `between` runs (other writers landing), then the put fails with 412 as the
 * store's retry of a write whose answer was lost would.
 */
function landsThenRefused(inner: ObjectStore, between: () => Promise<void>): ObjectStore {
  let done = false;
  return overriding(inner, {
    put: async (...args: Parameters<ObjectStore["put"]>) => {
      const [key, , options] = args;
      const conditional = options?.ifMatch !== undefined || options?.ifNoneMatch !== undefined;
      if (done || !key.startsWith("usage/") || !conditional) return await inner.put(...args);
      done = true;
      await inner.put(...args);
      await between();
      throw new PreconditionFailedError(`${key}: precondition failed (If-Match)`);
    },
  });
}

for (const others of [0, 3]) {
  Deno.test(`UsageCounter: a landed write refused on its retry, ${others} other writes between, counts once`, async () => {
    await using inner = new MemoryStore();
    const other = new UsageCounter(inner, Infinity);
    await other.add(OWNER, 100);
    const usage = new UsageCounter(
      landsThenRefused(inner, async () => {
        for (let i = 0; i < others; i++) await other.add(OWNER, 1);
      }),
      Infinity,
    );
    await usage.add(OWNER, 10);
    assertEquals(await other.bytes(OWNER), 110 + others);
  });
}
