/**
 * `vc adopt` took two objects with the same ETag for the same bytes, and
 * so two objects with none (a gateway or proxy that strips ETags from its
 * answers) too: vc's key holding other bytes than the key in another
 * naming was reported `already adopted`, and two keys of one version with
 * different bytes were not a conflict, one of them copied. Objects without
 * an ETag are now compared by their bytes.
 */
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { assertEquals } from "./assert.ts";

// A store whose answers carry no ETag.
class NoEtagStore extends MemoryStore {
  override async head(
    key: string,
    options?: { signal?: AbortSignal },
  ): Promise<ObjectInfo | undefined> {
    const info = await super.head(key, options);
    return info === undefined ? undefined : { ...info, etag: "" };
  }
}

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("adopt without ETags: vc's key holding other bytes of the same size is a conflict", async () => {
  await using store = new NoEtagStore();
  await store.put("d/t-1.0.0.csv", text("aaaa"));
  await store.put("d/t.1.0.0.csv", text("bbbb"));
  const done = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done.map((v) => [v.key, v.status]), [["d/t-1.0.0.csv", "conflict"]]);
});

Deno.test("adopt without ETags: two keys of one version with different bytes are a conflict", async () => {
  await using store = new NoEtagStore();
  await store.put("d/t-1.0.0.csv", text("aaaa"));
  await store.put("d/v1.0.0/t.csv", text("bbbb"));
  const done = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done.map((v) => v.status), ["conflict", "conflict"]);
  assertEquals(await store.head("d/t.1.0.0.csv"), undefined);
});

Deno.test("adopt without ETags: the same bytes are still adopted once", async () => {
  await using store = new NoEtagStore();
  await store.put("d/t-1.0.0.csv", text("aaaa"));
  await store.put("d/v1.0.0/t.csv", text("aaaa"));
  const done = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done.map((v) => v.status), ["copied"]);
  const again = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(again.map((v) => v.status), ["present"]);
});
