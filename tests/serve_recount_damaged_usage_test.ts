/**
 * `vc serve expire --recount-usage` is the repair of usage objects: one that
 * is damaged (not JSON, or JSON without an owner) failed the whole recount,
 * with `Unexpected token 'h'` naming no object, or `internal error:
 * TypeError`. A damaged usage object no counted identity rewrote belongs to
 * an identity that stores nothing now: it is removed (a missing usage
 * object is 0). Files under `usage/` the service never names are left alone.
 */
import { assertEquals } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import { Entries } from "../src/server/entries.ts";
import { sha256Hex } from "../src/hash.ts";

Deno.test("serve expire --recount-usage: damaged usage objects are repaired, not fatal", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FsStore(dir);
  const enc = new TextEncoder();
  try {
    const good = `usage/${sha256Hex("token-file:bob")}.json`;
    const notJson = `usage/${sha256Hex("token-file:carol")}.json`;
    const noOwner = `usage/${sha256Hex("token-file:dave")}.json`;
    const foreign = "usage/notes.txt";
    await store.put(good, enc.encode('{"owner":"token-file:bob","bytes":5}'));
    await store.put(notJson, enc.encode("hello"));
    await store.put(noOwner, enc.encode("{}"));
    await store.put(foreign, enc.encode("not the service's"));
    const result = await new Entries(store).sweep({ recountUsage: true });
    assertEquals(result.identities, 1);
    const text = async (key: string) => await new Response((await store.get(key)).body).text();
    assertEquals(JSON.parse(await text(good)).bytes, 0);
    assertEquals(await store.head(notJson), undefined);
    assertEquals(await store.head(noOwner), undefined);
    assertEquals(await text(foreign), "not the service's");
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
