/**
 * A `VcError`'s `message` shows the names it quotes escaped and its
 * `rawMessage` keeps them exact. Two ways the library builds messages lost
 * the exact text: a note appended to a thrown error (`e.message += …`: a
 * cache miss's "the store has …, which looks the same", a repository's
 * "; nothing was recorded") was missing from `rawMessage`, which still said
 * the message as first thrown; and an error wrapping another's message
 * (`${e.message}; nothing was cached`, with `cause: e`) had in its
 * `rawMessage` the escapes of the one it wraps (`a\\u202e.csv`), not the
 * key.
 */
import { join } from "node:path";
import { AssetCache, IntegrityError, NotFoundError, VcError } from "../mod.ts";
import { MemoryStore } from "../src/store/mod.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("VcError: text appended to the message is in rawMessage too", () => {
  const e = new NotFoundError("no object s3://b/a\x1b[2J.csv");
  e.message += "; nothing was recorded for /a.csv";
  assertEquals(e.message, "no object s3://b/a\\x1b[2J.csv; nothing was recorded for /a.csv");
  assertEquals(e.rawMessage, "no object s3://b/a\x1b[2J.csv; nothing was recorded for /a.csv");
});

Deno.test("VcError: a message wrapping its cause's keeps the cause's exact text", () => {
  const inner = new IntegrityError("s3://b/a\u202e.csv: checksum mismatch");
  const outer = new IntegrityError(`${inner.message}; nothing was cached`, { cause: inner });
  assertEquals(outer.message, "s3://b/a\\u202e.csv: checksum mismatch; nothing was cached");
  assertEquals(outer.rawMessage, "s3://b/a\u202e.csv: checksum mismatch; nothing was cached");
  // Wrapped twice, and with text before it.
  const again = new VcError(`cannot cache it: ${outer.message}`, { cause: outer });
  assertEquals(again.rawMessage, `cannot cache it: ${outer.rawMessage}`);
  // A message that does not quote its cause is its own.
  const other = new VcError("failed", { cause: inner });
  assertEquals(other.rawMessage, "failed");
});

Deno.test("VcError: a cache miss's spelling note is in rawMessage, the key exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_error_raw_message_" });
  await using store = new MemoryStore();
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    openStore: () => Promise.resolve(store),
  });
  try {
    // The store has the key spelled NFD; the NFC spelling is asked for.
    await store.put("cafe\u0301\x1b[2J.csv", new TextEncoder().encode("x"));
    let error: unknown;
    try {
      await cache.cache("s3://bkt/caf\u00e9\x1b[2J.csv");
    } catch (e) {
      error = e;
    }
    assert(error instanceof VcError, String(error));
    assert(error.message.includes("which looks the same"), error.message);
    assert(error.rawMessage.includes("which looks the same"), error.rawMessage);
    assert(error.rawMessage.startsWith("s3://bkt/caf\u00e9\x1b[2J.csv "), error.rawMessage);
    assert(!error.message.includes("\x1b"), error.message);
  } finally {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});
