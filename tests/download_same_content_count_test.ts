/**
 * A download corrupt in one way, then twice the same other way, stops at the
 * repeat (the store holds those bytes) and says how many times that same
 * content came: 2, not the 3 corrupt attempts in all (the first differed).
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { downloadToFile } from "../src/store/download.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { withTempDir } from "./versioned_helpers.ts";

/** Flips byte 0 on the first GET, byte 1 on every later one. */
class ThenSteady extends FaultStore {
  #n = 0;
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const got = await super.get(key, options);
    const bytes = new Uint8Array(await new Response(got.body).arrayBuffer());
    const at = this.#n++ === 0 ? 0 : 1;
    bytes[at] = bytes[at]! ^ 0xff;
    return { ...got, body: new Response(bytes).body!, bytes };
  }
}

Deno.test("download: the same wrong content twice after a different one counts 2 times", async () => {
  await withTempDir(async (dir) => {
    const store = new ThenSteady();
    store.set("k", randomBytes(4096, 7));
    const e = await assertRejects(
      () => downloadToFile(store, "k", join(dir, "k"), { attempts: 5 }),
      IntegrityError,
    );
    assertStringIncludes(e.message, "the same content came 2 times");
    assertEquals(store.counts.get, 3);
    await assertRejects(() => Deno.stat(join(dir, "k")), Deno.errors.NotFound);
    assertEquals(await tempFiles(dir), []);
  });
});
