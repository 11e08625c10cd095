/**
 * Options objects of the library API with a misspelt key, an option of
 * another call, or a value of the wrong type fail with `InvalidInputError`
 * naming the option, instead of being ignored (and the default used).
 */
import { assert, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { openStore } from "../src/store/open.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { InvalidInputError } from "../src/errors.ts";

const base = { cacheDir: "/tmp/vc-never-made", configPath: false, env: {} } as const;

Deno.test("AssetCache: a misspelt option is refused with the option it meant", () => {
  const e = assertThrows(
    () => new AssetCache({ ...base, cachedir: "/tmp/x" } as never),
    InvalidInputError,
  );
  assertStringIncludes(e.message, 'unknown option "cachedir"; did you mean "cacheDir"?');
  assertThrows(
    () => new AssetCache(null as never),
    InvalidInputError,
    "must be an object, got null",
  );
  assertThrows(
    () => new AssetCache({ ...base, cacheDir: 5 } as never),
    InvalidInputError,
    "cacheDir must be the cache directory's path, got 5",
  );
});

Deno.test("cache(): an AssetCache option or a typo given per call is refused, not ignored", async () => {
  await using cache = new AssetCache(base);
  const uri = "s3://b/k.csv";
  const e = await assertRejects(
    () => cache.cache(uri, { timeout: 60 } as never),
    InvalidInputError,
  );
  assertStringIncludes(e.message, '"timeout" is an option of AssetCache');
  await assertRejects(
    () => cache.cache(uri, { imutable: true } as never),
    InvalidInputError,
    'did you mean "immutable"?',
  );
  await assertRejects(() => cache.cache(uri, null as never), InvalidInputError, "got null");
  await assertRejects(
    () => cache.ls({ checkremote: true } as never),
    InvalidInputError,
    "checkRemote",
  );
  await assertRejects(() => cache.prune({ maxbytes: 1 } as never), InvalidInputError, "maxBytes");
});

Deno.test("VersionedCache: a misspelt option or a manifest that is not a path is refused", () => {
  assertThrows(
    () =>
      new VersionedCache({ manifest: "/tmp/vc-never/m.json", bucket: "b", frozn: true } as never),
    InvalidInputError,
    'did you mean "frozen"?',
  );
  assertThrows(
    () => new VersionedCache({ manifest: { "/a.csv": "1.0.0" }, bucket: "b" } as never),
    InvalidInputError,
    "manifest must be the manifest file's path, got an object",
  );
});

Deno.test("openStore: a misspelt option is refused", async () => {
  await assertRejects(
    () => openStore("file:///tmp/vc-never-made", { fil: {} } as never),
    InvalidInputError,
    'unknown option "fil"',
  );
});

Deno.test("cache(): a signal already aborted rejects with its reason, even on a warm hit", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-aborted-" });
  try {
    await Deno.writeTextFile(`${root}/a.csv`, "a\n");
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
    await cache.cache(`file://${root}/a.csv`); // warm
    const controller = new AbortController();
    controller.abort(new Error("stopped by the caller"));
    await assertRejects(
      () => cache.cache(`file://${root}/a.csv`, { signal: controller.signal }),
      Error,
      "stopped by the caller",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("options that are not a plain object (a signal in place of { signal }, a Map) are refused, not taken for none", async () => {
  const signal = new AbortController().signal;
  await using cache = new AssetCache(base);
  await assertRejects(
    () => cache.cache("s3://b/k.csv", signal as never),
    InvalidInputError,
    "got an AbortSignal object (pass it as { signal })",
  );
  await assertRejects(
    () => cache.prune(new Map([["maxBytes", 0]]) as never),
    InvalidInputError,
    "got a Map object",
  );
  const { Repository } = await import("../src/repo/repository.ts");
  await assertRejects(
    () => Repository.init("file:///tmp/vc-never-made-repo", signal as never),
    InvalidInputError,
    "pass it as { signal }",
  );
  assertThrows(
    () => new AssetCache(new Date() as never),
    InvalidInputError,
    "got a Date object",
  );
});

Deno.test("VersionedCache and prefill: an AssetCache option given to them names the cache option", async () => {
  for (const key of ["cacheDir", "offline", "timeout", "configPath"]) {
    const e = assertThrows(
      () =>
        new VersionedCache(
          { manifest: "/tmp/vc-never/m.json", bucket: "b", [key]: 1 } as never,
        ),
      InvalidInputError,
    );
    assertStringIncludes(
      e.message,
      `"${key}" is an option of AssetCache (pass one as the option cache)`,
    );
    await assertRejects(
      () => prefill({ uris: [], [key]: 1 } as never),
      InvalidInputError,
      `"${key}" is an option of AssetCache (pass one as the option cache)`,
    );
  }
});

Deno.test("VersionedCache: options given where the version goes name the argument they belong to", async () => {
  await using vc = new VersionedCache({
    manifest: "/tmp/vc-never/m.json",
    bucket: "b",
    cache: new AssetCache(base),
  });
  const signal = new AbortController().signal;
  for (
    const [call, run] of [
      ["path", () => vc.path("a.csv", { signal } as never)],
      ["locate", () => vc.locate("a.csv", { signal } as never)],
      ["resolve", () => vc.resolve("a.csv", { signal } as never)],
      ["uri", () => vc.uri("a.csv", { signal } as never)],
    ] as const
  ) {
    const e = await assertRejects(run, InvalidInputError);
    assertStringIncludes(
      e.message,
      `VersionedCache.${call}(): the version must be a string, got an object`,
    );
    // Only path() and locate() take options (third).
    const third = `; options go third: ${call}(path, undefined, { ... })`;
    if (call === "path" || call === "locate") assertStringIncludes(e.message, third);
    else assert(!e.message.includes("options go third"), e.message);
  }
});
