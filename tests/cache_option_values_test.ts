// Enum-like options of the asset cache refuse a value they do not know,
// naming the option and the values it takes, instead of silently taking the
// default; empty items of immutableBuckets are ignored in the environment's
// comma-separated list and refused in a list given as an array.
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const BASE = { cacheDir: "/tmp/vc-never-made", configPath: false, env: {} } as const;

Deno.test("AssetCache: an unknown onUnreachable is refused, naming the option and its values", () => {
  for (
    const [value, shown] of [["throw", '"throw"'], ["Fail", '"Fail"'], ["", '""'], [true, "true"]]
  ) {
    assertThrows(
      () => new AssetCache({ ...BASE, onUnreachable: value } as unknown as AssetCacheOptions),
      InvalidInputError,
      `onUnreachable must be "warn" or "fail", got ${shown}`,
    );
  }
  for (const onUnreachable of ["warn", "fail", undefined] as const) {
    new AssetCache({ ...BASE, onUnreachable });
  }
});

Deno.test("AssetCache: offline must be a boolean (a string would be taken for true)", () => {
  assertThrows(
    () => new AssetCache({ ...BASE, offline: "false" } as unknown as AssetCacheOptions),
    InvalidInputError,
    'the option offline must be true or false, got "false"',
  );
});

Deno.test('onUnreachable: "fail" throws with the store unreachable, "warn" serves the copy', async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    const path = await make().cache("s3://b/k.txt");
    await s3.stop(); // connection refused: no answer at all
    await make({ timeout: 0, onUnreachable: "fail" }).cache("s3://b/k.txt").then(
      () => Promise.reject(new Error("served")),
      (e) => assertStringIncludes(String(e), "cannot reach the store to revalidate"),
    );
    assertEquals(await make({ timeout: 0, onUnreachable: "warn" }).cache("s3://b/k.txt"), path);
  }, { maxAttempts: 1 });
});

Deno.test("VC_IMMUTABLE_BUCKETS: empty items and spaces are ignored; only separators means none", () => {
  for (
    const [value, buckets] of [
      [",,", []],
      [" , ", []],
      ["", []],
      ["a,,b", ["a", "b"]],
      [" a , , b ,", ["a", "b"]],
    ] as const
  ) {
    const s = resolveSettings({ ...BASE, env: { VC_IMMUTABLE_BUCKETS: value } });
    assertEquals(s.immutableBuckets, [...buckets], JSON.stringify(value));
    assertEquals(s.sources.immutableBuckets, "env VC_IMMUTABLE_BUCKETS");
  }
});

Deno.test("immutableBuckets given as an array: an empty or blank item is refused, naming where", async () => {
  for (const [item, shown] of [["", "empty"], ["  ", 'blank ("  ")']] as const) {
    assertThrows(
      () => resolveSettings({ ...BASE, immutableBuckets: ["a", item] }),
      InvalidInputError,
      `the option immutableBuckets: an item is ${shown}`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-option-values-" });
  try {
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(file, JSON.stringify({ immutableBuckets: ["a", " "] }));
    assertThrows(
      () => resolveSettings({ ...BASE, configPath: file }),
      InvalidInputError,
      `config file ${file}: "immutableBuckets": an item is blank`,
    );
    await Deno.writeTextFile(file, JSON.stringify({ immutableBuckets: ["a", ""] }));
    assertThrows(
      () => resolveSettings({ ...BASE, configPath: file }),
      InvalidInputError,
      "immutableBuckets",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("immutableBuckets given as an array: an item that is not a string is refused, naming where", () => {
  for (const [item, shown] of [[1, "1"], [null, "null"], [["a"], "an array"]] as const) {
    assertThrows(
      () =>
        new AssetCache({ ...BASE, immutableBuckets: ["a", item] } as unknown as AssetCacheOptions),
      InvalidInputError,
      `the option immutableBuckets: an item is ${shown}, not a string`,
    );
  }
});
