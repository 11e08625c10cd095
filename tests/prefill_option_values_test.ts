/**
 * `prefill()`'s `cache` and `onProgress` as a script without type checking
 * passes them: `onProgress: 5` was a bare "options.onProgress is not a
 * function" TypeError mid-run; no `cache` failed every item with "Cannot
 * read properties of undefined" in the summary, reported as a success.
 * `versioned` and `uris` of the wrong shape were bare TypeErrors ("object is
 * not iterable", "undefined is not a function"), or a failure naming no item.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";

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

Deno.test("prefill: versioned, uris and concurrency of the wrong shape are refused, naming the option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-opt-" });
  try {
    const file = `${dir}/a.txt`;
    await Deno.writeTextFile(file, "a");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: "b", cache });
    const refused: Array<[unknown, string]> = [
      [{ versioned: vc }, "the option versioned must be an array of VersionedCache, got a "],
      [{ versioned: {} }, "the option versioned must be an array of VersionedCache, got an object"],
      [{ versioned: [vc, null] }, "versioned[1] must be a VersionedCache, got null"],
      [{ versioned: ["m.json"] }, 'versioned[0] must be a VersionedCache, got "m.json"'],
      [{ uris: 5 }, "the option uris must be an array, iterable or async iterable of items, got 5"],
      [{ uris: { a: file } }, "the option uris must be an array, iterable or async iterable"],
      [
        { uris: [file], concurrency: "4" },
        'the option concurrency must be a positive integer, got "4"',
      ],
    ];
    for (const [options, message] of refused) {
      await assertRejects(
        () => prefill(bad({ cache, ...(options as object) })),
        InvalidInputError,
        `prefill(): ${message}`,
      );
    }
    const summary = await prefill({ cache, versioned: [], uris: new Set([`file://${file}`]) });
    assertEquals(summary.fetched, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
