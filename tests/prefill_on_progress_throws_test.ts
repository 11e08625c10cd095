/**
 * A `prefill()` whose `onProgress` throws: the throw stops the run as an
 * abort does, and `prefill` rejects with a `CallbackError` naming the
 * callback, its `cause` what was thrown (as every callback of the library). Before, one thrown while a
 * download reported failed that item (its error the callback's, kind
 * `VcError`, as if the store's) and the run resolved as if it had gone well.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { walkFiles } from "../src/walk.ts";
import { CallbackError } from "../src/errors.ts";

Deno.test("prefill: an onProgress that throws stops the run and is what it rejects with", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-progress-throws-" });
  try {
    await Deno.mkdir(`${dir}/bucket`);
    const uris: string[] = [];
    for (let i = 0; i < 8; i++) {
      await Deno.writeFile(`${dir}/bucket/${i}.bin`, new Uint8Array(64 * 1024).fill(i));
      uris.push(`file://${dir}/bucket/${i}.bin`);
    }
    const boom = new Error("progress bar broke");
    let calls = 0;
    {
      await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
      const thrown = await assertRejects(() =>
        prefill({
          cache,
          uris,
          concurrency: 2,
          onProgress: (p) => {
            calls++;
            // Thrown while a download reports its bytes.
            if (p.step !== undefined) throw boom;
          },
        })
      );
      assert(thrown instanceof CallbackError, `rejected with ${thrown}`);
      assertEquals(thrown.callback, "onProgress");
      assert(thrown.cause === boom, `cause ${thrown.cause}`);
    }
    const callsThen = calls;
    // Not called again once it threw: nothing goes on in the background.
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(calls, callsThen);
    for await (const entry of walkFiles(`${dir}/cache`)) {
      assert(!/vc-tmp/.test(entry.key), `left ${entry.key}`);
    }
    // A run again fills what the stopped one did not.
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const summary = await prefill({ cache, uris });
    assertEquals(summary.failed, []);
    assertEquals(summary.fetched + summary.alreadyCached, 8);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// An async onProgress whose promise rejects was not looked at: the rejection
// went unhandled and ended the process. It stops the prefill as a throw does.
Deno.test("prefill: an onProgress whose promise rejects stops the run as a throw does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-progress-rejects-" });
  try {
    await Deno.mkdir(`${dir}/bucket`);
    const uris: string[] = [];
    for (let i = 0; i < 8; i++) {
      await Deno.writeFile(`${dir}/bucket/${i}.bin`, new Uint8Array(64 * 1024).fill(i));
      uris.push(`file://${dir}/bucket/${i}.bin`);
    }
    const boom = new Error("progress log unreachable");
    {
      await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
      const thrown = await assertRejects(() =>
        prefill({
          cache,
          uris,
          concurrency: 2,
          onProgress: (p) => p.step === undefined ? Promise.resolve() : Promise.reject(boom),
        })
      );
      assert(thrown instanceof CallbackError, `rejected with ${thrown}`);
      assertEquals(thrown.callback, "onProgress");
      assert(thrown.cause === boom, `cause ${thrown.cause}`);
    }
    for await (const entry of walkFiles(`${dir}/cache`)) {
      assert(!/vc-tmp/.test(entry.key), `left ${entry.key}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
