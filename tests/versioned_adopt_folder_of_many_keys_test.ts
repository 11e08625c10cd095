/**
 * A folder named as a missing version's key (`d/t.3.0.0.csv/…`, a tree
 * uploaded to a location ending in `/`) may hold thousands of keys, each of
 * which `vc adopt` looks at as a key of 3.0.0. It sent a HEAD for every one
 * at once (a folder of 100,000 keys: 100,000 requests in flight), and each
 * key's conflict named every other key (a folder of n keys: n² names, one
 * stderr line of megabytes, `--json` rows alike). The HEADs are now a few at
 * a time, and a conflict names the first keys and how many more.
 */
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { overriding } from "./overriding.ts";

const KEYS = 300;

Deno.test("adopt of a folder of many keys heads a few at a time and names the first keys", async () => {
  await using memory = new MemoryStore();
  for (let i = 0; i < KEYS; i++) {
    // Each of another size: different bytes, no hashing.
    await memory.put(`d/t.3.0.0.csv/p${String(i).padStart(3, "0")}.csv`, new Uint8Array(i + 1));
  }
  let inFlight = 0;
  let most = 0;
  const store = overriding(memory, {
    head: async (key: string, options?: { signal?: AbortSignal }) => {
      most = Math.max(most, ++inFlight);
      try {
        await Promise.resolve();
        return await memory.head(key, options);
      } finally {
        inFlight--;
      }
    },
  });
  const done = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done.length, KEYS);
  assert(done.every((v) => v.status === "conflict"), JSON.stringify(done[0]));
  assert(most <= 16, `${most} HEADs in flight at once`);
  const problem = done[0]?.problem ?? "";
  assertStringIncludes(problem, `${KEYS} keys look like 3.0.0 with different bytes`);
  assertStringIncludes(problem, "d/t.3.0.0.csv/p019.csv, and 280 more");
  assert(!problem.includes("p020.csv"), problem);
  assertEquals(await memory.head("d/t.3.0.0.csv"), undefined);
});
