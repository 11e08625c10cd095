/**
 * vc reads a version from its `/` key (`/d/t.1.0.0.csv`, as baiji-pod wrote
 * it) when the canonical key (`d/t.1.0.0.csv`) is missing. `vc adopt` looked
 * only at the canonical key: beside a `/`-key version it copied another
 * tool's key for that version (`d/t.v1.0.0.csv`, `d/t-1.0.0.csv`, a key in a
 * folder `d/t.1.0.0.csv/…`) to the canonical key, which reads first from
 * then on: the bytes of a version the bucket held, and a pin read, changed.
 * A version vc reads from its `/` key is held like any other: the same bytes
 * are `present`, others a `conflict` naming that key, and nothing is written.
 */
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const text = (s: string) => new TextEncoder().encode(s);

for (const other of ["d/t.v1.0.0.csv", "d/t-1.0.0.csv"]) {
  Deno.test(`adopt never shadows a version held under its / key with ${other}`, async () => {
    await using store = new MemoryStore();
    await store.put("/d/t.1.0.0.csv", text("the version vc reads"));
    await store.put(other, text("other bytes"));
    const done = await adoptOtherNamings(store, "/d/t.csv");
    assertEquals(done.map((v) => [v.key, v.status]), [[other, "conflict"]]);
    assertStringIncludes(done[0]?.problem ?? "", "/d/t.1.0.0.csv already holds other bytes");
    assertEquals(await store.head("d/t.1.0.0.csv"), undefined);
  });
}

Deno.test("adopt finds a version held under its / key with the same bytes present", async () => {
  await using store = new MemoryStore();
  await store.put("/d/t.1.0.0.csv", text("same"));
  await store.put("d/t.v1.0.0.csv", text("same"));
  const done = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done.map((v) => [v.key, v.status]), [["d/t.v1.0.0.csv", "present"]]);
  assertEquals(await store.head("d/t.1.0.0.csv"), undefined);
});

Deno.test("adopt passes over a folder named as the key of a version held under its / key", async () => {
  await using store = new MemoryStore();
  await store.put("/d/t.1.0.0.csv", text("the version vc reads"));
  await store.put("d/t.1.0.0.csv/part0.csv", text("a part"));
  await store.put("/d/t.1.0.0.csv/part1.csv", text("another part"));
  assertEquals(await adoptOtherNamings(store, "/d/t.csv"), []);
  assertEquals(await store.head("d/t.1.0.0.csv"), undefined);
});
