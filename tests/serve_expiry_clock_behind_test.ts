/**
 * Expiry dated by a clock that runs BEHIND the store's. Instances share one
 * store; each dates what it writes (a cache ID's reservation, an upload, a
 * download's refresh) by its own clock. Before, an instance 31 days behind
 * dated a file it took "30 days from now" by its clock: a day in the past
 * by the store's and every other instance's, so the next sweep of an
 * instance with a right clock removed it at once (the client's next
 * download a miss); and its downloads never moved a file's expiry on (its
 * "now + 30 days" was before the expiry already written), so a file used
 * every day only through it expired all the same. Now an instance whose
 * clock is more than an hour behind the store's dates by the store's time.
 */
import { assert, assertEquals } from "./assert.ts";
import { ManualClock, MemoryStore } from "../src/testing/mod.ts";
import { Entries } from "../src/server/entries.ts";

const DAY = 86_400_000;
const FILE = "a".repeat(128);
const PLACEHOLDER = "b".repeat(128);
const OWNER = "token-file:alice";

function body(text: string): ReadableStream<Uint8Array> {
  return ReadableStream.from([new TextEncoder().encode(text)]);
}

Deno.test("expiry: what an instance 31 days behind the store's clock writes is dated by the store's time, kept by a right clock's sweep", async () => {
  const storeClock = new ManualClock(Date.now());
  await using store = new MemoryStore({ clock: storeClock });
  const behind = new Entries(store, { clock: new ManualClock(storeClock.now() - 31 * DAY) });
  const right = new Entries(store, { clock: new ManualClock(storeClock.now()) });
  await behind.reserve(FILE, OWNER);
  await behind.upload(FILE, OWNER, { filename: "x.txt", body: body("hello") });
  await behind.reserve(PLACEHOLDER, OWNER);

  const result = await right.sweep();
  assertEquals(result.removed, 0, "a right clock's sweep removed what was just uploaded");
  const { meta } = await right.open(FILE, OWNER);
  assertEquals(meta.size, 5);
  assert(meta.expiresAt >= storeClock.now() + 29 * DAY, `expires ${new Date(meta.expiresAt)}`);
  // Its upload time is the store's too (what Last-Modified says).
  assert(Math.abs(meta.uploadedAt! - storeClock.now()) < DAY, `uploaded ${meta.uploadedAt}`);
  const placeholder = await right.reserve(PLACEHOLDER, OWNER);
  assert(placeholder.expiresAt >= storeClock.now() + 6 * DAY);
});

Deno.test("expiry: downloads through an instance 31 days behind the store's clock keep a file in use from expiring", async () => {
  const start = Date.now();
  const storeClock = new ManualClock(start);
  const rightClock = new ManualClock(start);
  const behindClock = new ManualClock(start - 31 * DAY);
  await using store = new MemoryStore({ clock: storeClock });
  const behind = new Entries(store, { clock: behindClock });
  const right = new Entries(store, { clock: rightClock });
  await right.reserve(FILE, OWNER);
  await right.upload(FILE, OWNER, { filename: "x.txt", body: body("hello") });
  // 25 days on for everyone; the file is downloaded through the late instance.
  for (const clock of [storeClock, rightClock, behindClock]) await clock.advance(25 * DAY);
  assertEquals((await behind.open(FILE, OWNER)).meta.size, 5);
  // 10 more days: 35 after the upload, 10 after its last use.
  for (const clock of [storeClock, rightClock, behindClock]) await clock.advance(10 * DAY);
  assertEquals((await right.sweep()).removed, 0, "a file downloaded 10 days ago expired");
  assertEquals((await right.open(FILE, OWNER)).meta.size, 5);
});

Deno.test("expiry: an instance within an hour behind the store's clock dates by its own", async () => {
  const storeClock = new ManualClock(Date.now());
  await using store = new MemoryStore({ clock: storeClock });
  const clock = new ManualClock(storeClock.now() - 30 * 60_000);
  const entries = new Entries(store, { clock, placeholderTtlMs: DAY });
  const meta = await entries.reserve(PLACEHOLDER, OWNER);
  assertEquals(meta.expiresAt, clock.now() + DAY);
});

Deno.test("expiry: an instance 31 days behind the store's clock removes what has expired by the store's time", async () => {
  const start = Date.now();
  const storeClock = new ManualClock(start);
  const rightClock = new ManualClock(start);
  const behindClock = new ManualClock(start - 31 * DAY);
  await using store = new MemoryStore({ clock: storeClock });
  const right = new Entries(store, { clock: rightClock, placeholderTtlMs: DAY });
  const behind = new Entries(store, { clock: behindClock, placeholderTtlMs: DAY });
  await right.reserve(PLACEHOLDER, OWNER);
  for (const clock of [storeClock, rightClock, behindClock]) await clock.advance(2 * DAY);
  // Before, its sweep kept it 31 days more, and its downloads and
  // cache-ID requests took it for live.
  assertEquals((await behind.sweep()).removed, 1);
});

Deno.test("expiry: a burst of first requests reads the store's time once, not once each", async () => {
  const storeClock = new ManualClock(Date.now());
  await using store = new MemoryStore({ clock: storeClock });
  let readings = 0;
  const serverTime = store.serverTime.bind(store);
  store.serverTime = (options) => {
    readings++;
    return serverTime(options);
  };
  const behind = new Entries(store, { clock: new ManualClock(storeClock.now() - 31 * DAY) });
  const ids = Array.from(
    { length: 12 },
    (_, i) => String(i).padStart(3, "0").repeat(43).slice(0, 128),
  );
  const metas = await Promise.all(ids.map((id) => behind.reserve(id, OWNER)));
  assertEquals(readings, 1);
  // Every reservation is dated by the store's time all the same.
  for (const meta of metas) assert(meta.expiresAt >= storeClock.now() + 6 * DAY);
});
