/**
 * `AssetCache` calls from a plain JavaScript script: wrong option values are
 * an `InvalidInputError` naming the option before anything is removed, and a
 * maintenance pass stopped midway (an `onProgress` that throws, an abort) never
 * leaves `cache()` serving a path whose copy it removed.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError } from "../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("prune/verify/ls refuse signal, onProgress and flags of the wrong type before removing anything", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const uri = `file://${dir}/a.txt`;
    const path = await assets.cache(uri);
    const a = assets as Any;
    const cases: Array<[() => Promise<unknown>, string]> = [
      [
        () => a.prune({ maxBytes: 0, onProgress: 5 }),
        "prune(): the option onProgress must be a function",
      ],
      [
        () => a.prune({ maxBytes: 0, signal: {} }),
        "prune(): the option signal must be an AbortSignal",
      ],
      [
        () => a.prune({ maxBytes: 0, dryRun: "false" }),
        "prune(): the option dryRun must be true or false",
      ],
      [() => a.verify({ onProgress: "x" }), "verify(): the option onProgress must be a function"],
      [() => a.verify({ signal: "x" }), "verify(): the option signal must be an AbortSignal"],
      [
        () => a.ls({ checkRemote: true, signal: "x" }),
        "ls(): the option signal must be an AbortSignal",
      ],
      [() => a.ls({ checkRemote: "yes" }), "ls(): the option checkRemote must be true or false"],
    ];
    for (const [call, message] of cases) await assertRejects(call, InvalidInputError, message);
    assert(await exists(path), "nothing was removed");
    assertEquals((await assets.ls()).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an onProgress that throws stops prune, and cache() then serves an existing copy", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const uri = `file://${dir}/a.txt`;
    await assets.cache(uri);
    const boom = new Error("boom");
    await assertRejects(
      () =>
        assets.prune({
          maxBytes: 0,
          onProgress: () => {
            throw boom;
          },
        }),
      Error,
      "boom",
    );
    const again = await assets.cache(uri);
    assert(await exists(again), `cache() returned ${again}, which does not exist`);
    assertEquals(await Deno.readTextFile(again), "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verify stopped midway (onProgress throws, or aborted) leaves cache() serving a good copy", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      warn: () => {},
    });
    const uris: string[] = [];
    for (const name of ["a", "b", "c", "d"]) {
      await Deno.writeTextFile(`${dir}/${name}.txt`, name);
      uris.push(`file://${dir}/${name}.txt`);
    }
    for (const stop of ["abort", "throw"]) {
      for (const uri of uris) {
        // Damaged at the same size; dated an hour back, as an edit within the
        // file system's timestamp tick of the download would not be.
        const path = await assets.cache(uri);
        await Deno.writeTextFile(path, "?");
        const back = new Date(Date.now() - 3_600_000);
        await Deno.utime(path, back, back);
      }
      const ac = new AbortController();
      await assertRejects(() =>
        assets.verify({
          signal: ac.signal,
          onProgress: () => {
            if (stop === "throw") throw new Error("boom");
            ac.abort();
          },
        })
      );
      for (const uri of uris) {
        const path = await assets.cache(uri);
        assert(await exists(path), `${stop}: cache(${uri}) returned ${path}, which does not exist`);
        assertEquals(await Deno.readTextFile(path), uri.slice(-5, -4));
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache() refuses an integrity pin that pins nothing, even for a cached copy", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const uri = `file://${dir}/a.txt`;
    const sha = "ca978112ca1bbdcafac231b39a23dc4da786eff8148bb4bb7fe8e5c9e1e8c8c1"; // not of "a"
    for (const cached of [false, true]) {
      for (
        const integrity of [{}, "sha256-abc", null, { size: "1", sha256: sha }, {
          size: 1,
          sha256: "x",
        }]
      ) {
        await assertRejects(
          () => assets.cache(uri, { integrity } as Any),
          InvalidInputError,
          "cache(): the option integrity must be { size, sha256 }",
        );
      }
      if (!cached) await assets.cache(uri);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("copyVerified refuses paths that are not strings before copying", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const path = await assets.cache(`file://${dir}/a.txt`);
    const a = assets as Any;
    for (const dest of [null, 5, new URL(`file://${dir}/out.txt`), ""]) {
      await assertRejects(
        () => a.copyVerified(path, dest),
        InvalidInputError,
        "copyVerified() dest",
      );
    }
    await assertRejects(
      () => a.copyVerified(null, `${dir}/out.txt`),
      InvalidInputError,
      "copyVerified() local",
    );
    assert(!(await exists(`${dir}/out.txt`)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AssetCache refuses env, openStore, warn and clock of the wrong type, naming the option", () => {
  const base = { cacheDir: "/tmp/vc-option-test-never-written", configPath: false as const };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ env: null }, "the option env must be a function or an object"],
    [{ env: "VC_CACHE_DIR=/x" }, "the option env must be a function or an object"],
    [{ env: {}, openStore: 5 }, "the option openStore must be a function"],
    [{ env: {}, warn: "console" }, "the option warn must be a function"],
    [{ env: {}, clock: {} }, "the option clock must be a Clock"],
    [{ env: {}, clock: null }, "the option clock must be a Clock"],
  ];
  for (const [options, message] of cases) {
    assertThrows(() => new AssetCache({ ...base, ...options } as Any), InvalidInputError, message);
  }
  new AssetCache(
    { ...base, env: () => undefined, warn: () => {}, clock: { now: Date.now } } as Any,
  );
});
