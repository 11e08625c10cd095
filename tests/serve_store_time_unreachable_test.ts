/**
 * A store that cannot be reached when a request first reads its time (the
 * reading that dates what a cache ID, an upload or a download writes). That
 * reading made its own round of retries, and its failure was dropped: the
 * request then went on to its own store requests, which made a second round
 * against the same unreachable store. Against a store gone silent (a
 * stopped process, a network that drops packets) each round is 5 attempts of
 * `--request-timeout`: a `cache_id` or a download waited twice that (10
 * minutes at the defaults, 32 s at `--request-timeout 3s`) for its 503, long
 * after its client had given up. Now the reading's failure is the request's
 * 503, after one round.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { MemoryStore } from "../src/testing/mod.ts";
import { Entries } from "../src/server/entries.ts";
import { OfflineError } from "../src/errors.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { overriding } from "./overriding.ts";

const ID = "a".repeat(128);
const OWNER = "token-file:alice";

/** `store` whose time cannot be read (unreachable), counting the other requests made to it. */
function unreachableTime(store: MemoryStore): { store: ObjectStore; calls: () => number } {
  let calls = 0;
  const counted = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => {
    calls++;
    return fn(...args);
  };
  const wrapped = overriding<ObjectStore>(store, {
    serverTime: () =>
      Promise.reject(
        new OfflineError(
          "HEAD s3://b/.vc-clock-probe: timed out after 60 s (gave up after 5 attempts)",
        ),
      ),
    get: counted(store.get.bind(store)),
    put: counted(store.put.bind(store)),
    head: counted(store.head.bind(store)),
  });
  return { store: wrapped, calls: () => calls };
}

Deno.test("serve: a cache ID whose store cannot be reached for its time fails with that, asking the store nothing more", async () => {
  await using memory = new MemoryStore();
  const { store, calls } = unreachableTime(memory);
  const entries = new Entries(store);
  await assertRejects(() => entries.reserve(ID, OWNER), OfflineError, "clock-probe");
  assertEquals(calls(), 0, "the request went on to the unreachable store after its time failed");
});

Deno.test("serve: a download whose store cannot be reached for its time fails with that, asking the store nothing more", async () => {
  await using memory = new MemoryStore();
  await new Entries(memory).reserve(ID, OWNER);
  const { store, calls } = unreachableTime(memory);
  const entries = new Entries(store);
  await assertRejects(() => entries.open(ID, OWNER), OfflineError, "clock-probe");
  assertEquals(calls(), 0, "the request went on to the unreachable store after its time failed");
});

Deno.test("serve: an upload whose store cannot be reached for its time fails with that, its body unread", async () => {
  await using memory = new MemoryStore();
  await new Entries(memory).reserve(ID, OWNER);
  const { store, calls } = unreachableTime(memory);
  const entries = new Entries(store);
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(10));
      controller.close();
    },
  }, { highWaterMark: 0 });
  await assertRejects(
    () => entries.upload(ID, OWNER, { filename: "x.txt", body }),
    OfflineError,
    "clock-probe",
  );
  assertEquals(calls(), 0, "the request went on to the unreachable store after its time failed");
  assertEquals(pulled, 0, "the body was read for a store that cannot be reached");
});

Deno.test("serve: a store that tells no time still serves (the reading is only for dating)", async () => {
  await using memory = new MemoryStore();
  const store = overriding<ObjectStore>(memory, { serverTime: () => Promise.resolve(undefined) });
  const meta = await new Entries(store).reserve(ID, OWNER);
  assertEquals(meta.filename, "placeholder");
});
