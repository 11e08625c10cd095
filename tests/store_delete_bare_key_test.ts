/**
 * `ObjectStore.delete` takes an array of keys. One key passed bare, as a
 * string (a script run without type checking, as `deno run` runs it), was
 * spread into its characters: `delete("abc")` deleted the objects `a`, `b`
 * and `c` and kept `abc`. Every store now refuses it before deleting
 * anything.
 */
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { testS3Store } from "./versioned_helpers.ts";
import { assertEquals, assertRejects } from "./assert.ts";

async function keysOf(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list("")) out.push(info.key);
  return out;
}

async function check(store: ObjectStore): Promise<void> {
  for (const k of ["a", "b", "c", "abc"]) await store.put(k, new Uint8Array([1]));
  const bare = store.delete as unknown as (keys: unknown) => Promise<void>;
  await assertRejects(() => bare.call(store, "abc"), InvalidInputError, 'delete(["abc"])');
  await assertRejects(() => bare.call(store, new Set(["a"])), InvalidInputError);
  assertEquals(await keysOf(store), ["a", "abc", "b", "c"], "nothing was deleted");
  await store.delete(["abc"]);
  assertEquals(await keysOf(store), ["a", "b", "c"]);
}

Deno.test("FsStore: delete of a bare string key is refused, not spread into characters", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-delete-bare-" });
  try {
    await check(new FsStore(root));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("MemoryStore: delete of a bare string key is refused", async () => {
  await check(new MemoryStore());
});

Deno.test("S3Store: delete of a bare string key is refused", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using store = testS3Store(s3, "assets", { maxAttempts: 1 });
  await check(store);
});
