/**
 * `VC_FROZEN=1` is the CI switch of the settings table ("flag / option,
 * then the environment"), and the library's own errors say "frozen mode
 * (--frozen / VC_FROZEN)". But `new VersionedCache({ manifest, bucket })`
 * read only its `frozen` option: in a CI job with `VC_FROZEN=1`, the test
 * code's `path()` served unlocked entries and overrides and `update()`
 * rewrote the lock file, all of which `vc` itself refused. The option
 * still wins over the variable, as a flag does.
 */
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError, VersionedCache } from "../mod.ts";

async function withFrozenEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const before = Deno.env.get("VC_FROZEN");
  if (value === undefined) Deno.env.delete("VC_FROZEN");
  else Deno.env.set("VC_FROZEN", value);
  try {
    return await fn();
  } finally {
    if (before === undefined) Deno.env.delete("VC_FROZEN");
    else Deno.env.set("VC_FROZEN", before);
  }
}

Deno.test("VersionedCache: VC_FROZEN=1 freezes it when the frozen option is not given", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-frozen-env-" });
  try {
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const options = {
      manifest: `${dir}/versioned_assets.json`,
      bucket: `${dir}/store`,
      cache: assets,
    };
    await Deno.writeTextFile(options.manifest, "{}");
    await Deno.writeTextFile(`${dir}/a.csv`, "a\n");
    await withFrozenEnv(undefined, async () => {
      await using vc = new VersionedCache(options);
      assertEquals(vc.frozen, false);
      await vc.add("/a.csv", `${dir}/a.csv`);
    });
    const lockBefore = await Deno.readTextFile(`${dir}/versioned_assets.lock.json`);
    await Deno.writeTextFile(`${dir}/a.csv`, "b\n");
    await withFrozenEnv("1", async () => {
      await using vc = new VersionedCache(options);
      assertEquals(vc.frozen, true);
      const e = await assertRejects(() => vc.update("/a.csv", `${dir}/a.csv`, { patch: true }));
      assertStringIncludes((e as Error).message, "frozen mode");
      // The option wins over the variable.
      await using unfrozen = new VersionedCache({ ...options, frozen: false });
      assertEquals(unfrozen.frozen, false);
    });
    assertEquals(await Deno.readTextFile(`${dir}/versioned_assets.lock.json`), lockBefore);
    assertEquals(JSON.parse(await Deno.readTextFile(options.manifest)), { "/a.csv": "1.0.0" });
    await withFrozenEnv("maybe", () => {
      assertThrows(() => new VersionedCache(options), InvalidInputError, "VC_FROZEN must be");
      return Promise.resolve();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
