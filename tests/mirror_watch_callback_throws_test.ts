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
import { storeContents, tempDir, until, watchWithTestEvents, writeTree } from "./mirror_helpers.ts";

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

/** Whether `p` settled within the bounded wait of `until`, and how. */
async function settled<T>(p: Promise<T>): Promise<{ ok: T } | { error: unknown }> {
  let result: { ok: T } | { error: unknown } | undefined;
  p.then((ok) => result = { ok }, (error) => result = { error });
  await until("the watch to end", () => result !== undefined).catch(() => {});
  assert(result !== undefined, "the watch went on after its callback failed");
  return result;
}

// An onBatch whose promise rejects (an async callback) was not looked at:
// the rejection ended the process. An onEvent that threw was taken for the
// file watcher failing (said to onError, and a new watcher started), and an
// onIdle that threw ended the watch with the bare error. Each now stops the
// watch with a CallbackError naming it.
for (
  const [name, how] of [["onBatch", "rejects"], ["onEvent", "throws"], [
    "onIdle",
    "throws",
  ]] as const
) {
  Deno.test(`mirror --watch: an ${name} that ${how} stops the watch with a CallbackError`, async () => {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    const store = new FsStore(join(w.dir, "store"));
    const boom = new Error(`${name} boom`);
    const watch = watchWithTestEvents(src, store, w.dir, {
      [name]: how === "rejects" ? () => Promise.reject(boom) : () => {
        throw boom;
      },
    });
    try {
      if (name === "onEvent") {
        watch.events.send({ kind: "create", paths: [join(src, "b.txt")] });
      }
      const result = await settled(watch.watching);
      assert("error" in result, `the watch resolved: ${JSON.stringify(result)}`);
      const error = result.error;
      assert(error instanceof CallbackError, `rejected with ${error}`);
      assertEquals(error.callback, name);
      assert(error.cause === boom, String(error.cause));
      assertEquals(watch.errors, []);
    } finally {
      // Stopped (it went on) and waited for; its rejection is asserted above.
      await Promise.resolve(watch[Symbol.asyncDispose]()).catch(() => {});
    }
  });
}
