/**
 * An upload that replaces a file has switched its entry before it deletes the
 * old file's data: a store failure on that delete must not undo what the
 * switch did (the owner's usage, the upload's answer). Found by running three
 * `vc serve` processes over a fake S3 that failed a quarter of its requests:
 * such uploads answered 503 although their file was stored, and the usage
 * kept the old file's size instead of the new one's until a recount.
 */
import { Entries } from "../src/server/entries.ts";
import { UsageCounter } from "../src/server/quota.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { failingDeletes } from "./server_helpers.ts";

const bytes = (text: string) => ReadableStream.from([new TextEncoder().encode(text)]);

Deno.test("serve: a replacing upload whose old data cannot be deleted is stored and counted", async () => {
  await using inner = new MemoryStore();
  const failing: { prefix: string | undefined; status: number } = {
    prefix: undefined,
    status: 503,
  };
  const store = failingDeletes(inner, failing);
  const entries = new Entries(store, { maxBytesPerIdentity: 1_000_000 });
  const owner = "token-file:alice";
  const id = "a".repeat(128);
  await entries.reserve(id, owner);
  await entries.upload(id, owner, { filename: "old.txt", body: bytes("0123456789") });
  failing.prefix = "data/";
  // The switch lands; only the old file's delete fails.
  const meta = await entries.upload(id, owner, { filename: "new.txt", body: bytes("abc") });
  assertEquals(meta.size, 3);
  failing.prefix = undefined;
  const { meta: stored } = await entries.open(id, owner);
  assertEquals([stored.filename, stored.size], ["new.txt", 3]);
  assertEquals(await new UsageCounter(inner, Infinity).bytes(owner), 3);
  // The old file's data is left to the sweep (an orphan, removed after a day).
  const data: string[] = [];
  for await (const info of inner.list("data/")) data.push(info.key);
  assertEquals(data.length, 2);
});

Deno.test("serve: an expired entry replaced by a new placeholder comes off the usage though its data cannot be deleted", async () => {
  // The store's time is the test's: what it writes is dated by it.
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  await using inner = new MemoryStore({ clock });
  const failing: { prefix: string | undefined; status: number } = {
    prefix: undefined,
    status: 503,
  };
  const entries = new Entries(failingDeletes(inner, failing), {
    clock,
    fileTtlMs: 60_000,
    maxBytesPerIdentity: 1_000_000,
  });
  const owner = "token-file:alice";
  const id = "b".repeat(128);
  await entries.reserve(id, owner);
  await entries.upload(id, owner, { filename: "old.txt", body: bytes("0123456789") });
  clock.jump(120_000);
  failing.prefix = "data/";
  const placeholder = await entries.reserve(id, owner);
  assertEquals(placeholder.filename, "placeholder");
  assertEquals(await new UsageCounter(inner, Infinity).bytes(owner), 0);
});
