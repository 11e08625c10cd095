/**
 * `AssetCache` options that cannot work fail at construction with a message
 * naming the option, not at the first download under another name.
 */
import { assertThrows } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("AssetCache options that cannot work are refused at construction, naming the option", () => {
  for (
    const [options, message] of [
      [{ maxDownloads: 0 }, "maxDownloads must be a positive integer, got 0"],
      [{ maxDownloads: 1.5 }, "maxDownloads must be a positive integer, got 1.5"],
      // Shown as String() gave it, "4" read as the number it looks like.
      [{ maxDownloads: "4" }, 'maxDownloads must be a positive integer, got "4"'],
      [{ lockWait: -1 }, "lockWait must be a non-negative number of seconds, got -1"],
      [{ lockWait: NaN }, "lockWait must be a non-negative number of seconds, got NaN"],
      // Coerced by `>=`, these were waits of 5 s, 1 s and none.
      [{ lockWait: "5" }, 'lockWait must be a non-negative number of seconds, got "5"'],
      [{ lockWait: true }, "lockWait must be a non-negative number of seconds, got true"],
      [{ lockWait: null }, "lockWait must be a non-negative number of seconds, got null"],
      [{ timeout: NaN }, "got NaN"],
      // A lone string would be spread into one-letter buckets and match nothing.
      [{ immutableBuckets: "assets" }, 'must be an array (["assets"])'],
      [{ immutableBuckets: 5 }, "must be an array, got 5"],
    ] as const
  ) {
    assertThrows(
      () =>
        new AssetCache({
          cacheDir: "/tmp/vc-never-made",
          configPath: false,
          env: {},
          ...options as Record<string, unknown>,
        }),
      InvalidInputError,
      message,
    );
  }
});
