/**
 * A `watchMirror` callback that throws: the mirror's `onAction` throwing
 * failed every pass, each said to `onError` and tried again, for as long as
 * the watch ran, and `onBatch` throwing was taken for a failed pass. Now the
 * watch stops and rejects with a `CallbackError` naming the callback, its
 * `cause` what was thrown.
 */
import { join } from "node:path";
import { CallbackError } from "../mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { storeContents, tempDir, watchWithTestEvents, writeTree } from "./mirror_helpers.ts";

for (const callback of ["onAction", "onBatch"] as const) {
  Deno.test(`mirror --watch: an ${callback} that throws stops the watch with it`, async () => {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    const store = new FsStore(join(w.dir, "store"));
    const boom = new Error(`${callback} boom`);
    const watch = watchWithTestEvents(src, store, w.dir, {
      [callback]: () => {
        throw boom;
      },
    });
    const error = await assertRejects(() => watch.watching, CallbackError);
    assertEquals(error.callback, callback);
    assert(error.cause === boom, String(error.cause));
    assertEquals(watch.errors, []);
    if (callback === "onAction") assertEquals(await storeContents(store), {});
  });
}
