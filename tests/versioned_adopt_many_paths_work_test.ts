/**
 * `vc adopt` of a manifest of many paths read the bucket's whole listing
 * once, then went through every key of it again for each path: a manifest
 * of 1,000 paths with 20 versions each in another naming (20,000 keys) took
 * minutes of CPU before the first copy, and ten times the paths a hundred
 * times that. The listing is now indexed once by the path each key can be
 * a version of, so each path looks only at its own keys.
 */
import { allOtherNamings } from "../src/versioned/case_twin.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals } from "./assert.ts";

Deno.test("the other namings of many paths look at each key of the shared listing a bounded number of times", async () => {
  await using store = new MemoryStore();
  const paths = 200;
  const keys: string[] = [];
  for (let i = 0; i < paths; i++) {
    keys.push(`d/t${i}-1.0.0.csv`, `v1.1.0/d/t${i}.csv`, `d/v1.2.0/t${i}.csv`, `d/t${i}.csv.1.3.0`);
  }
  // The listing shared between the calls, as `adopt` shares it, with each
  // read of one of its keys counted.
  let reads = 0;
  const counted = new Proxy(keys, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  const dirs = new Map<string, Promise<readonly string[]>>([["", Promise.resolve(counted)]]);
  for (let i = 0; i < paths; i++) {
    const found = await allOtherNamings(store, `/d/t${i}.csv`, { dirs });
    assertEquals(found.map((o) => o.version), ["1.3.0", "1.2.0", "1.1.0", "1.0.0"]);
  }
  // Each key read a few times in all, not once per path (200 × 800 reads).
  assertEquals(reads <= 4 * keys.length, true, `${reads} reads of ${keys.length} keys`);
});

Deno.test("a hostile key of many version-like parts is still found among the other namings", async () => {
  await using store = new MemoryStore();
  const many = `d/t-${Array.from({ length: 40 }, () => "1.0.0").join("-")}.csv`;
  for (const key of [many, "d/t-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-2.0.0.csv"]) {
    await store.put(key, new Uint8Array());
  }
  await store.put("d/t-1.0.0.csv", new Uint8Array());
  const dirs = new Map<string, Promise<readonly string[]>>();
  const found = await allOtherNamings(store, "/d/t.csv", { dirs });
  assertEquals(
    found.map((o) => o.key).sort(),
    [many, "d/t-1.0.0.csv", "d/t-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-1.0.0-2.0.0.csv"]
      .sort(),
  );
  // The same of a path whose name holds versions.
  const other = await allOtherNamings(store, "/d/t-1.0.0.csv", { dirs });
  assertEquals(other.length > 0, true);
});
