/**
 * `Entries` (the cache service's entries, used directly by `vc serve
 * expire` and by scripts sweeping a service's store) checks its options as
 * `createHandler` does: a misspelt `placeholderTtl` kept the 7-day default
 * without a word, and a negative or NaN TTL was taken as given.
 */
import { InvalidInputError } from "../src/errors.ts";
import { Entries } from "../src/server/entries.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";

Deno.test("Entries: a misspelt option is refused with the one meant", async () => {
  await using store = new MemoryStore();
  assertThrows(
    () => new Entries(store, { placeholderTtl: 5 } as never),
    InvalidInputError,
    'Entries: unknown option "placeholderTtl"; did you mean "placeholderTtlMs"?',
  );
});

Deno.test("Entries: a negative or NaN TTL is refused naming the option and value", async () => {
  await using store = new MemoryStore();
  assertThrows(
    () => new Entries(store, { fileTtlMs: -5 }),
    InvalidInputError,
    "Entries: the option fileTtlMs must be a number, 0 or more, got -5",
  );
  assertThrows(
    () => new Entries(store, { refreshGranularityMs: NaN }),
    InvalidInputError,
    "Entries: the option refreshGranularityMs must be a number, 0 or more, got NaN",
  );
  assertThrows(
    () => new Entries(store, { maxBytesPerIdentity: "10" as never }),
    InvalidInputError,
    'the option maxBytesPerIdentity must be a number, 0 or more, got "10"',
  );
});

Deno.test("Entries.sweep: a misspelt option is refused before anything is removed", async () => {
  await using store = new MemoryStore();
  await store.put("meta/x.json", new TextEncoder().encode("{}"));
  await assertRejects(
    () => new Entries(store).sweep({ recount: true } as never),
    InvalidInputError,
    'Entries.sweep(): unknown option "recount"; did you mean "recountUsage"?',
  );
  assertEquals((await store.head("meta/x.json"))?.size, 2);
});
