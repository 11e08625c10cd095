/**
 * `vc adopt` reads the bucket's whole listing and kept every key of it in
 * memory for all its paths: millions of keys of a big bucket, though only
 * keys with a version in them can be one in another naming. It keeps only
 * those now, not vc's own keys nor keys with no version.
 */
import { allOtherNamings } from "../src/versioned/case_twin.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals } from "./assert.ts";

Deno.test("the whole listing adopt shares keeps only keys that can be a version in another naming", async () => {
  await using store = new MemoryStore();
  for (const key of ["notes.txt", "d/t.csv", "d/t.1.0.0.csv", "d/t-1.0.0.csv", "v1.1.0/d/t.csv"]) {
    await store.put(key, new Uint8Array());
  }
  const dirs = new Map<string, Promise<readonly string[]>>();
  const found = await allOtherNamings(store, "/d/t.csv", { dirs });
  assertEquals(found.map((o) => o.key), ["v1.1.0/d/t.csv", "d/t-1.0.0.csv"]);
  assertEquals([...await dirs.get("")!].sort(), ["d/t-1.0.0.csv", "v1.1.0/d/t.csv"]);
});
