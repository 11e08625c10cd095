/**
 * The sweep (each `--sweep-interval`, and `vc serve expire`) stopped at the
 * first expired entry whose removal the store refused: one entry that
 * cannot be removed (an object under an S3 retention lock, a file an
 * operator copied in as another user) kept every entry after it in key
 * order, every orphan and every abandoned upload from ever being removed,
 * each sweep again. Now that entry is named in the result (`failed`, in the
 * service's sweep log line and `vc serve expire`'s output, which then exits
 * 1) and the sweep goes on.
 */
import { Entries } from "../src/server/entries.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { StoreError } from "../src/errors.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { keys } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

const DAY = 86_400_000;
const bytes = (text: string) => ReadableStream.from([new TextEncoder().encode(text)]);

/** `inner`, with every put of `refused.key` rejected (403, as a retention lock does). */
function refusing(inner: ObjectStore, refused: { key: string | undefined }): ObjectStore {
  return overriding(inner, {
    put: (key, ...rest) =>
      key === refused.key
        ? Promise.reject(
          new StoreError(`PUT ${key} failed: 403 AccessDenied (injected)`, { status: 403 }),
        )
        : inner.put(key, ...rest),
  });
}

Deno.test("serve sweep: an entry the store will not let go is named, and the sweep removes the rest", async () => {
  // The store's time is the test's: what it writes is dated by it.
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  await using inner = new MemoryStore({ clock });
  const refused: { key: string | undefined } = { key: undefined };
  const entries = new Entries(refusing(inner, refused), { clock });
  const owner = "token-file:alice";
  const ids = ["a", "b", "c"].map((c) => c.repeat(128));
  for (const id of ids) {
    await entries.reserve(id, owner);
    await entries.upload(id, owner, { filename: "out.txt", body: bytes(id) });
  }
  refused.key = `meta/${ids[0]}.json`; // first in key order
  clock.jump(40 * DAY);
  const result = await entries.sweep(); // was: StoreError, and b and c stayed
  assertEquals(result.removed, 2);
  assertEquals(result.failed?.length, 1);
  assert(result.failed![0]!.startsWith(`meta/${ids[0]}.json: `), result.failed![0]);
  assert(result.failed![0]!.includes("403 AccessDenied"), result.failed![0]);
  const left = await keys(inner);
  assertEquals(left.filter((k) => k.startsWith("meta/")), [`meta/${ids[0]}.json`]);
  assertEquals(left.filter((k) => k.startsWith("data/")).length, 1); // its own data, kept
});
