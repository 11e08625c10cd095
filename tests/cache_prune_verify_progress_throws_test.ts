/**
 * `AssetCache.prune` and `verify` with an `onProgress` that throws rejected
 * with the bare value thrown, not the `CallbackError` every other callback
 * of the library rejects with; one whose promise rejects (an `async`
 * callback) ended the process with an unhandled rejection. Now both stop
 * the pass as an abort does and reject with a `CallbackError` naming
 * `onProgress`, its `cause` what was thrown.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { CallbackError } from "../src/errors.ts";
import { assert, assertEquals } from "./assert.ts";

for (const call of ["prune", "verify"] as const) {
  for (const how of ["throws", "rejects"] as const) {
    Deno.test(`AssetCache.${call}: an onProgress that ${how} rejects with a CallbackError`, async () => {
      const dir = await Deno.makeTempDir({ prefix: "vc-cache-maint-progress-" });
      try {
        await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
        for (const name of ["a", "b", "c"]) {
          await Deno.writeTextFile(`${dir}/${name}.txt`, name);
          await assets.cache(`file://${dir}/${name}.txt`);
        }
        const boom = new Error(`progress ${how}`);
        const onProgress = how === "throws"
          ? () => {
            throw boom;
          }
          : () => Promise.reject(boom);
        const result = await (call === "prune"
          ? assets.prune({ maxBytes: 0, onProgress })
          : assets.verify({ onProgress })).then((ok) => ({ ok }), (error: unknown) => ({ error }));
        assert("error" in result, `resolved: ${JSON.stringify(result)}`);
        assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
        assertEquals(result.error.callback, "onProgress");
        assert(result.error.cause === boom, `cause: ${result.error.cause}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}
