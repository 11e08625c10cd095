/**
 * Two sweeps (two `vc serve` instances, or one and `vc serve expire`) that
 * list the same orphaned data objects at once count each once between them.
 * Each counted every orphan it had listed, since a store's delete does not
 * say whether the object was still there: 20 orphans, each sweep said 20.
 * A sweep now claims each orphan first with a write conditional on the
 * object being the very one it listed; the sweep whose claim lands removes
 * and counts it, the other skips it.
 */
import type { ObjectInfo, ObjectStore } from "../src/store/types.ts";
import { FsStore } from "../src/store/fs.ts";
import { Entries } from "../src/server/entries.ts";
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { DAY, keys, ManualClock, serviceS3Store, timedBy } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

/** `store` whose `data/` listings end only once `parties` of them have been read. */
function listingsMeet(store: ObjectStore, parties: number): ObjectStore {
  let arrived = 0;
  let release!: () => void;
  const met = new Promise<void>((resolve) => release = resolve);
  return overriding(store, {
    list: async function* (prefix: string, options?: Parameters<ObjectStore["list"]>[1]) {
      const items: ObjectInfo[] = [];
      for await (const info of store.list(prefix, options)) items.push(info);
      if (prefix === "data/") {
        if (++arrived === parties) release();
        await met;
      }
      yield* items;
    } as ObjectStore["list"],
  });
}

Deno.test("sweep: two sweeps racing for the same orphans count each once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sweep_orphans_once_" });
  try {
    await using store = new FsStore(dir);
    const id = "ab".repeat(64);
    // Orphans two days old, as an upload a crash cut off leaves them.
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    for (let i = 0; i < 20; i++) {
      const uuid = crypto.randomUUID();
      await store.put(`data/${id}/${uuid}`, new Uint8Array([i]));
      await Deno.utime(`${dir}/data/${id}/${uuid}`, twoDaysAgo, twoDaysAgo);
    }
    const shared = listingsMeet(store, 2);
    const [a, b] = await Promise.all([new Entries(shared).sweep(), new Entries(shared).sweep()]);
    assertEquals(a.orphansRemoved + b.orphansRemoved, 20);
    assertEquals(await keys(store, "data/"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweep: an orphan on S3 is claimed, then removed and counted", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using store = serviceS3Store(fake.url);
  const key = `data/${"cd".repeat(64)}/${crypto.randomUUID()}`;
  await store.put(key, new Uint8Array(100));
  const clock = new ManualClock(Date.now() + 2 * DAY);
  const result = await new Entries(timedBy(store, clock), { clock }).sweep();
  assertEquals(result.orphansRemoved, 1);
  assertEquals(await keys(store), []);
});

Deno.test("sweep: an orphan the store has no room to claim is still removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sweep_orphans_full_" });
  try {
    await using store = new FsStore(dir);
    const key = `data/${"ef".repeat(64)}/${crypto.randomUUID()}`;
    await store.put(key, new Uint8Array(100));
    // A full disk: every write fails, while deletes (which free space) work.
    const full = overriding(store, {
      put: () => Promise.reject(new Error("write failed: No space left on device (os error 28)")),
    });
    const clock = new ManualClock(Date.now() + 2 * DAY);
    const result = await new Entries(timedBy(full, clock), { clock }).sweep();
    assertEquals(result.orphansRemoved, 1);
    assertEquals(await keys(store), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
