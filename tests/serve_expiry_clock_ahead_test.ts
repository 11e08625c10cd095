/**
 * Expiry judged by a clock that runs ahead of the store's. Before, a `vc
 * serve` instance, its sweep or `vc serve expire` on a machine whose clock
 * was 31 days ahead removed every entry for every instance (a file
 * downloaded a minute before included): nothing guarded against it. Now
 * every removal for age first compares the process's clock with the
 * store's (S3's `Date` header, a `file://` store's probe file) and refuses,
 * removing nothing, past an hour ahead. A store that tells no time (no
 * `Date`, a garbled one) does not block expiry: the local clock decides.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { ManualClock, MemoryStore, startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { Entries } from "../src/server/entries.ts";
import { HttpError } from "../src/server/http_error.ts";
import { testAwsEnv, withWorkspace } from "./cli_process.ts";
import { overriding } from "./overriding.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";
import { s3WithDate } from "./s3_date_proxy.ts";

const DAY = 86_400_000;
const FILE = "a".repeat(128);
const PLACEHOLDER = "b".repeat(128);
const OWNER = "token-file:alice";

function s3Store(endpoint: string): S3Store {
  return new S3Store({
    bucket: "cache",
    prefix: "svc",
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

/** A file entry and a placeholder, written at `clock`'s time. */
async function fill(entries: Entries): Promise<void> {
  await entries.reserve(FILE, OWNER);
  const body = ReadableStream.from([new TextEncoder().encode("hello")]);
  await entries.upload(FILE, OWNER, { filename: "x.txt", body });
  await entries.reserve(PLACEHOLDER, OWNER);
}

async function refusedAsClockAhead(p: Promise<unknown>, what: string): Promise<void> {
  const e = await assertRejects(() => p, HttpError);
  assertEquals(e.status, 503, what);
  assertStringIncludes(e.message, "refusing to remove anything for its age", what);
  assertStringIncludes(e.message, "31 days ahead", what);
  assertStringIncludes(e.message, "more than the 1 hour", what);
  assertStringIncludes(e.message, "nothing was removed", what);
}

Deno.test("expiry: a service clock 31 days ahead of S3's Date removes nothing (sweep, download, new cache ID)", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using store = s3Store(fake.url);
  const clock = new ManualClock(Date.now());
  const entries = new Entries(store, { clock });
  await fill(entries);
  const before = fake.listKeys("cache");
  assertEquals(before.length, 3);

  clock.jump(31 * DAY); // this machine's clock set ahead; the store's is right
  const sweep = entries.sweep();
  await refusedAsClockAhead(sweep, "sweep");
  const e = await assertRejects(() => entries.sweep(), HttpError);
  // Both times are named: this machine's, and the store's (a real "now").
  assertStringIncludes(e.message, new Date(clock.now()).toISOString().slice(0, 13));
  assertStringIncludes(e.message, new Date().toISOString().slice(0, 10));
  await refusedAsClockAhead(entries.open(FILE, OWNER), "download");
  await refusedAsClockAhead(entries.reserve(PLACEHOLDER, OWNER), "new cache ID request");
  assertEquals(fake.listKeys("cache"), before);

  clock.jump(-31 * DAY); // set right: the file is there, whole
  const { meta } = await entries.open(FILE, OWNER);
  assertEquals(meta.size, 5);
});

Deno.test("expiry: a file:// store dates its probe file: a service clock 31 days ahead removes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_expiry_clock_ahead_" });
  try {
    const store = new FsStore(dir);
    const clock = new ManualClock(Date.now());
    const entries = new Entries(store, { clock });
    await fill(entries);
    clock.jump(31 * DAY);
    await refusedAsClockAhead(entries.sweep(), "sweep");
    await refusedAsClockAhead(entries.open(FILE, OWNER), "download");
    clock.jump(-31 * DAY);
    assertEquals((await entries.open(FILE, OWNER)).meta.size, 5);
    // The probe file is gone: only the store's own directories are left.
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assertEquals(names, ["data", "meta"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("expiry: a clock less than an hour ahead of the store's still removes what it finds expired", async () => {
  await using store = new MemoryStore(); // the real clock
  const clock = new ManualClock(Date.now());
  const entries = new Entries(store, { clock, placeholderTtlMs: 10 * 60_000 });
  await entries.reserve(PLACEHOLDER, OWNER);
  clock.jump(30 * 60_000);
  const result = await entries.sweep();
  assertEquals(result.removed, 1);
});

Deno.test("expiry: a store whose Date is garbage, at the epoch or absent does not block expiry", async () => {
  for (const date of ["garbage", "Thu, 01 Jan 1970 00:00:00 GMT"]) {
    await using s3 = await s3WithDate(() => date);
    await using store = s3Store(s3.url);
    const clock = new ManualClock(Date.now());
    const entries = new Entries(store, { clock });
    await fill(entries);
    clock.jump(31 * DAY);
    const result = await entries.sweep();
    assertEquals(result.removed, 2, date);
    assertEquals(s3.fake.listKeys("cache"), [], date);
  }
  // A store that tells no time at all (no serverTime).
  await using inner = new MemoryStore();
  const timeless: Record<string, unknown> = { serverTime: undefined };
  const store: ObjectStore = overriding(inner, timeless as Partial<MemoryStore>);
  const clock = new ManualClock(Date.now());
  const entries = new Entries(store, { clock });
  await fill(entries);
  clock.jump(31 * DAY);
  assertEquals((await entries.sweep()).removed, 2);
});

Deno.test("vc serve expire on a machine 31 days ahead of the store's Date removes nothing and says why", async () => {
  await using s3 = await s3WithDate(() => new Date(Date.now() - 31 * DAY).toUTCString());
  // Entries written in the store's time: expired by this machine's clock only.
  await using writer = s3Store(s3.fake.url);
  await fill(new Entries(writer, { clock: new ManualClock(Date.now() - 31 * DAY) }));
  const before = s3.fake.listKeys("cache");
  assertEquals(before.length, 3);
  await withWorkspace(async (_dir, vc) => {
    const run = await vc(["serve", "expire", "--store", "s3://cache/svc"], {
      ...testAwsEnv(s3.url),
    });
    assertEquals(run.code, 1, run.stdout);
    assertStringIncludes(run.stderr, "refusing to remove anything for its age");
    assertStringIncludes(run.stderr, "31 days ahead");
    assertStringIncludes(run.stderr, "nothing was removed");
  });
  assertEquals(s3.fake.listKeys("cache"), before);
});

Deno.test("serve: a download found expired by a service 31 days ahead of its store is 503, said, and the file kept", async () => {
  await using t = await startService({ realStoreTime: true });
  const token = t.tokens.alice;
  const id = (await newCacheId(t.url, token, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, token, id, "kept")).status, 200);
  t.clock.advance(31 * DAY);
  const refused = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: token } });
  assertEquals(refused.status, 503);
  assertStringIncludes(await refused.text(), "31 days ahead");
  assertStringIncludes(t.logs.join("\n"), "refusing to remove anything for its age");
  t.clock.advance(-31 * DAY); // set right
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: token } });
  assertEquals(await got.text(), "kept");
});
