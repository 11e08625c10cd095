/**
 * A key in another naming replaced between `vc adopt`'s HEAD and its copy
 * (another tool still writing the bucket) fails the copy's precondition on
 * the source; adopt took every failed precondition for vc's key written
 * meanwhile, and said vc's key "already holds other bytes", a key that did
 * not exist. It now says the source changed, and to run it again.
 */
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { CopyOptions, PutResult } from "../src/store/types.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const text = (s: string) => new TextEncoder().encode(s);

// A store where another writer replaces the source of the first copy just
// before it is made.
class RacingStore extends MemoryStore {
  raced = false;
  override async copy(from: string, to: string, options?: CopyOptions): Promise<PutResult> {
    if (!this.raced) {
      this.raced = true;
      await this.put(from, text("replaced"));
    }
    return await super.copy(from, to, options);
  }
}

Deno.test("adopt of a key replaced before its copy says it changed, not that vc's key holds other bytes", async () => {
  await using store = new RacingStore();
  await store.put("d/t-1.0.0.csv", text("first"));
  const [done] = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done?.status, "conflict");
  assertStringIncludes(done!.problem!, "d/t-1.0.0.csv changed while it was adopted");
  assertEquals(await store.head("d/t.1.0.0.csv"), undefined);
  // Run again: adopted as it is now.
  const [again] = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(again?.status, "copied");
});
