// checkPositiveInteger: the one "must be a positive integer" check of the
// library's count and bound options (createHandler, AssetCache, downloads).
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { checkPositiveInteger } from "../src/options_check.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("checkPositiveInteger: absent or a positive safe integer passes", () => {
  for (const ok of [undefined, 1, 16, Number.MAX_SAFE_INTEGER]) checkPositiveInteger("n", ok);
});

Deno.test("checkPositiveInteger: anything else is refused, naming the option and the value", () => {
  for (
    const [bad, shown] of [
      [0, "0"],
      [-1, "-1"],
      [1.5, "1.5"],
      [Number.NaN, "NaN"],
      [Infinity, "Infinity"],
      [2 ** 53, String(2 ** 53)],
      ["4", '"4"'],
      [null, "null"],
    ] as const
  ) {
    const e = assertThrows(
      () => checkPositiveInteger("createHandler: the option maxUploads", bad),
      InvalidInputError,
    );
    assertEquals(
      e.message,
      `createHandler: the option maxUploads must be a positive integer, got ${shown}`,
    );
  }
});

// The count options that still tested `Number.isInteger` by hand took 2 ** 53
// and beyond (not a count any loop or share of it can be exact with), which
// AssetCache's maxDownloads and the downloads' concurrency refuse: the same
// check, and the same message, for prefill's and mirror's concurrency and an
// S3Store's sizes and counts.
Deno.test("prefill, mirror and S3Store options: an unsafe integer is refused as elsewhere", async () => {
  const { prefill } = await import("../src/prefill/prefill.ts");
  const { mirror } = await import("../src/mirror/mirror.ts");
  const { checkS3OptionValues } = await import("../src/store/store_options_check.ts");
  const { AssetCache } = await import("../src/cache/asset_cache.ts");
  const huge = 2 ** 53;
  const dir = await Deno.makeTempDir({ prefix: "vc-positive-integer-option-" });
  try {
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    const prefillError = await assertRejects(
      () => prefill({ cache, uris: [], concurrency: huge }),
      InvalidInputError,
    );
    assertEquals(
      prefillError.message,
      `prefill(): the option concurrency must be a positive integer, got ${huge}`,
    );
    const mirrorError = await assertRejects(
      () => mirror({ sources: [dir], target: `file://${dir}-target`, concurrency: huge }),
      InvalidInputError,
    );
    assertEquals(mirrorError.message, `concurrency must be a positive integer, got ${huge}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const s3Error = assertThrows(
    () => checkS3OptionValues("S3Store", { partSize: huge }),
    InvalidInputError,
  );
  assertEquals(
    s3Error.message,
    `S3Store: the option partSize must be a positive integer, got ${huge}`,
  );
});
