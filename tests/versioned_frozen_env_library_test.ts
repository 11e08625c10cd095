/**
 * `VC_FROZEN=1` is the CI switch of the settings table ("flag / option,
 * then the environment"), and the library's own errors say "frozen mode
 * (--frozen / VC_FROZEN)". But `new VersionedCache({ manifest, bucket })`
 * read only its `frozen` option: in a CI job with `VC_FROZEN=1`, the test
 * code's `path()` served unlocked entries and overrides and `update()`
 * rewrote the lock file, all of which `vc` itself refused. The option
 * still wins over the variable, as a flag does. `VC_LOCK` likewise: frozen
 * with the default lock file while `vc` used the one `VC_LOCK` names, the
 * tests would refuse every entry `vc` accepts.
 */
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError, VersionedCache } from "../mod.ts";

async function withEnv<T>(
  name: string,
  value: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const before = Deno.env.get(name);
  if (value === undefined) Deno.env.delete(name);
  else Deno.env.set(name, value);
  try {
    return await fn();
  } finally {
    if (before === undefined) Deno.env.delete(name);
    else Deno.env.set(name, before);
  }
}

const withFrozenEnv = <T>(value: string | undefined, fn: () => Promise<T>) =>
  withEnv("VC_FROZEN", value, fn);

/**
 * Runs `fn` in a temp project dir (`prefix`) holding an empty manifest and
 * `a.csv` ("a\n"), with the options of a VersionedCache of it: the bucket
 * `dir/store` and an asset cache of its own.
 */
async function withProject(
  prefix: string,
  fn: (
    dir: string,
    options: { manifest: string; bucket: string; cache: AssetCache },
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const options = {
      manifest: `${dir}/versioned_assets.json`,
      bucket: `${dir}/store`,
      cache: assets,
    };
    await Deno.writeTextFile(options.manifest, "{}");
    await Deno.writeTextFile(`${dir}/a.csv`, "a\n");
    await fn(dir, options);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("VersionedCache: VC_FROZEN=1 freezes it when the frozen option is not given", async () => {
  await withProject("vc-frozen-env-", async (dir, options) => {
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
  });
});

Deno.test("VersionedCache: VC_LOCK names the lock file when the lock option is not given", async () => {
  await withProject("vc-lock-env-", async (dir, options) => {
    await withEnv("VC_LOCK", `${dir}/ci.lock.json`, async () => {
      await using vc = new VersionedCache(options);
      assertEquals(vc.lockFile, `${dir}/ci.lock.json`);
      await vc.add("/a.csv", `${dir}/a.csv`);
      // Frozen too, as a CI job sets both: the entry is locked in that file.
      await withFrozenEnv("1", async () => {
        await using frozen = new VersionedCache(options);
        assertEquals(await Deno.readTextFile(await frozen.path("/a.csv")), "a\n");
      });
      // The option wins.
      await using own = new VersionedCache({ ...options, lock: `${dir}/own.lock.json` });
      assertEquals(own.lockFile, `${dir}/own.lock.json`);
    });
    assertEquals((await Deno.stat(`${dir}/ci.lock.json`)).isFile, true);
    await assertRejects(() => Deno.stat(`${dir}/versioned_assets.lock.json`), Deno.errors.NotFound);
    await withEnv("VC_LOCK", "s3://b/lock.json", () => {
      assertThrows(() => new VersionedCache(options), InvalidInputError, "VC_LOCK");
      return Promise.resolve();
    });
  });
});
