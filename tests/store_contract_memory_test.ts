/** The ObjectStore contract against MemoryStore, plus what only MemoryStore has. */
import { MemoryStore } from "../src/store/memory.ts";
import { checkStore, storeContract } from "../src/testing/store_contract.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { StoreError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import type { ObjectInfo, ObjectStore } from "../src/store/types.ts";

storeContract("MemoryStore", () => {
  const store = new MemoryStore();
  return Promise.resolve({ store, cleanup: () => store.close() });
});

Deno.test("MemoryStore: lastModified comes from the injected clock; a shared map is one bucket", async () => {
  const clock = new ManualClock(Date.UTC(2030, 0, 1));
  const objects = new Map();
  const a = new MemoryStore({ clock, objects, url: "memory://shared" });
  const b = new MemoryStore({ objects });
  await a.put("k", new Uint8Array([1, 2]));
  assertEquals((await b.head("k"))?.lastModified.toISOString(), "2030-01-01T00:00:00.000Z");
  await clock.advance(1_000);
  await a.copy("k", "k2");
  assertEquals((await b.head("k2"))?.lastModified.toISOString(), "2030-01-01T00:00:01.000Z");
  assertEquals(a.url, "memory://shared");
  assert(b.url.startsWith("memory://"));
});

Deno.test("MemoryStore: a closed store refuses work", async () => {
  const store = new MemoryStore();
  await store.close();
  await assertRejects(() => store.put("k", new Uint8Array()), StoreError, "closed");
  await assertRejects(() => store.get("k"), StoreError, "closed");
});

Deno.test("MemoryStore: invalid keys throw InvalidInputError naming the key", async () => {
  const store = new MemoryStore();
  for (const key of ["", "x".repeat(1025), "lone\ud800"]) {
    const e = await assertRejects(() => store.put(key, new Uint8Array()));
    assertEquals(e.name, "InvalidInputError");
  }
  // S3 keeps a leading "/" as part of the key, and so does MemoryStore.
  await store.put("/abs", new TextEncoder().encode("slash"));
  assertEquals([...store.objects.keys()], ["/abs"]);
  assertEquals(await store.head("abs"), undefined);
});

Deno.test("checkStore: a store that breaks the contract fails with the broken cases named", async () => {
  // Lists in UTF-16 order and ignores startAfter: the two faults of the old test store.
  class Sloppy extends MemoryStore {
    override async *list(prefix: string): AsyncIterable<ObjectInfo> {
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      for (const key of keys) {
        const o = this.objects.get(key)!;
        yield { key, size: o.data.length, etag: o.etag, lastModified: o.lastModified };
      }
    }
  }
  const e = await assertRejects(
    () =>
      checkStore(() => {
        const store: ObjectStore = new Sloppy();
        return Promise.resolve({ store, cleanup: () => store.close() });
      }),
    AggregateError,
  );
  const failed = (e as AggregateError).errors.map((x) => (x as Error).message.split(":")[0]);
  assertEquals(failed.sort(), [
    "list is in UTF-8 byte order",
    "list with prefix and startAfter",
    "more than 1000 keys", // its startAfter check
  ]);
});
