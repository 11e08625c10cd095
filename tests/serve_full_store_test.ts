/**
 * A store whose disk is full: every write fails with ENOSPC. A removal
 * (a DELETE, the sweep, `vc serve expire`) first claims its entry with a
 * metadata write, so on a full disk it failed too (503): nothing the API or
 * the sweep could do freed any space, and the service stayed stuck until an
 * operator deleted files by hand. Found with `vc serve` over a 2 MiB tmpfs.
 * A removal now frees the entry's data first when its claim finds no space,
 * and claims again; the client of a write that finds no space is told so.
 */
import { Entries } from "../src/server/entries.ts";
import { UsageCounter } from "../src/server/quota.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { StoreError } from "../src/errors.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

const DAY = 86_400_000;
const bytes = (text: string) => ReadableStream.from([new TextEncoder().encode(text)]);

/**
 * `inner` as a disk that is full while `disk.full` is set: puts fail as
 * FsStore reports ENOSPC; deleting a data object frees room.
 */
function fullDisk(inner: ObjectStore, disk: { full: boolean }): ObjectStore {
  return overriding(inner, {
    put: (key, ...rest) => {
      if (disk.full) {
        return Promise.reject(
          new StoreError(
            `put ${key} in file:///srv failed: No space left on device (os error 28)`,
          ),
        );
      }
      return inner.put(key, ...rest);
    },
    delete: async (keys, ...rest) => {
      await inner.delete(keys, ...rest);
      if (keys.some((k) => k.startsWith("data/"))) disk.full = false;
    },
  });
}

async function filled(quota?: number) {
  // The store's time is the test's: what it writes is dated by it.
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  const inner = new MemoryStore({ clock });
  const disk = { full: false };
  const entries = new Entries(fullDisk(inner, disk), {
    clock,
    ...(quota === undefined ? {} : { maxBytesPerIdentity: quota }),
  });
  const owner = "token-file:alice";
  const id = "c".repeat(128);
  await entries.reserve(id, owner);
  await entries.upload(id, owner, { filename: "out.txt", body: bytes("0123456789") });
  disk.full = true;
  return { inner, disk, clock, entries, owner, id };
}

async function left(store: ObjectStore): Promise<string[]> {
  return (await keys(store)).filter((k) => !k.startsWith("usage"));
}

Deno.test("serve: a DELETE on a full store frees the entry's data and removes it", async () => {
  const t = await filled(1_000_000);
  await using _ = t.inner;
  await t.entries.remove(t.id, t.owner); // was: StoreError, No space left on device
  assertEquals(await left(t.inner), []);
  assertEquals(await new UsageCounter(t.inner, Infinity).bytes(t.owner), 0);
  await assertRejects(() => t.entries.open(t.id, t.owner)); // 404
});

Deno.test("serve: the sweep on a full store removes expired entries", async () => {
  const t = await filled();
  await using _ = t.inner;
  t.clock.jump(40 * DAY);
  const result = await t.entries.sweep(); // was: StoreError, No space left on device
  assertEquals(result.removed, 1);
  assertEquals(await left(t.inner), []);
});

Deno.test("serve: a write that finds the store full answers 503 saying the store is full", async () => {
  const disk = { full: false };
  await using t = await startService({ store: fullDisk(new MemoryStore(), disk) });
  const id = (await newCacheId(t.url, t.tokens.alice, { a: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, t.tokens.alice, id, "hello")).status, 200);
  disk.full = true;
  const res = await upload(t.url, t.tokens.alice, id, "hello again");
  assertEquals(res.status, 503);
  assertEquals(
    (res.doc.error as string).replace(/ \(request id .*\)$/, ""),
    "the store has no space left (remove caches, or free or add space); try again later",
  );
  const del = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "DELETE",
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(del.status, 200, await del.text()); // was 503: no room for its claim
  assertEquals(await keys(t.store, "data/"), []);
});
