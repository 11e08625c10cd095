/**
 * Option values of the wrong type from plain JavaScript, refused before any
 * work with `InvalidInputError` naming the option: a `signal` that is not an
 * `AbortSignal` (it was a `TypeError` from deep inside, or never stopped
 * anything), a bump whose `major` is the string "false" (it bumped the
 * major), and a `VersionedCache` `cache` that is no asset cache (it failed
 * only at the first download).
 */
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError, VersionedCache } from "../mod.ts";
import { nextVersion } from "../src/versioned/version_bump.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("a signal that is not an AbortSignal is refused, naming the call and the option", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/m.json`, "{}\n");
    await Deno.mkdir(`${dir}/bucket`);
    await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
    for (const signal of ["x", {}, 5, null]) {
      const e = await assertRejects(
        () => vc.versions("/a.csv", { signal } as Any),
        InvalidInputError,
      );
      assertEquals(
        e.message.startsWith("VersionedCache.versions(): the option signal must be an AbortSignal"),
        true,
        e.message,
      );
    }
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env: {} });
    await assertRejects(
      () => cache.cache(`file://${dir}/nothing.bin`, { signal: "stop" } as Any),
      InvalidInputError,
      "the option signal must be an AbortSignal",
    );
    // A real signal is still taken.
    assertEquals(await vc.versions("/a.csv", { signal: new AbortController().signal }), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bump's major, minor or patch must be true or false", () => {
  for (const key of ["major", "minor", "patch"]) {
    for (const value of ["false", "yes", 1, null]) {
      assertThrows(
        () => nextVersion("1.2.3", { [key]: value } as Any),
        InvalidInputError,
        `the bump's ${key} must be true or false`,
      );
    }
  }
  assertEquals(nextVersion("1.2.3", { minor: true, major: false }), "1.3.0");
});

Deno.test("VersionedCache refuses a cache that is no AssetCache when it is made", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const cache of [{}, "cache", null, { cache: 1 }]) {
      assertThrows(
        () => new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/b`, cache } as Any),
        InvalidInputError,
        "the option cache must be an AssetCache",
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
