/**
 * `prefill()`'s `cache` and `onProgress` as a script without type checking
 * passes them: `onProgress: 5` was a bare "options.onProgress is not a
 * function" TypeError mid-run; no `cache` failed every item with "Cannot
 * read properties of undefined" in the summary, reported as a success.
 */
import { assertRejects } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";

// deno-lint-ignore no-explicit-any
const bad = (v: unknown): any => v;

Deno.test("prefill: cache and onProgress of the wrong kind are refused, naming the option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-opt-" });
  try {
    const file = `${dir}/a.txt`;
    await Deno.writeTextFile(file, "a");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    await assertRejects(
      () => prefill(bad({ cache, uris: [file], onProgress: 5 })),
      InvalidInputError,
      "prefill(): the option onProgress must be a function, got 5",
    );
    for (const value of [undefined, "/tmp/cache", {}]) {
      await assertRejects(
        () => prefill(bad({ cache: value, uris: [`file://${file}`] })),
        InvalidInputError,
        "prefill(): the option cache must be an AssetCache",
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
