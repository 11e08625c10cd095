/**
 * Arguments of the wrong type, as a plain JavaScript script passes them, to
 * the file paths and destinations of the exported entry points: each is an
 * `InvalidInputError` naming the argument, never a `TypeError` from deep
 * inside (`path.charCodeAt is not a function`), a `NotFoundError` for "5"
 * or "0,0", or a number called "empty".
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError, prefill, VersionedCache } from "../mod.ts";
import { readManifest } from "../src/versioned/mod.ts";
import { downloadToFile } from "../src/store/mod.ts";
import { MemoryStore } from "../src/testing/mod.ts";
import { loadConfigFile, resolveSettings } from "../src/config.ts";
import { mirror } from "../src/mirror/mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test("VersionedCache refuses a file or destination that is not a path string", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/m.json`, "{}\n");
    await Deno.writeTextFile(`${dir}/f.csv`, "x\n");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const vc = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: `file://${dir}/bucket`,
      cache,
    });
    const v = vc as Any;
    for (const file of [5, new Uint8Array(2), new URL(`file://${dir}/f.csv`), undefined, ""]) {
      const e = await assertRejects(
        () => v.add("/a.csv", file),
        InvalidInputError,
        "VersionedCache.add(): the file",
      );
      assert(!/does not exist/.test(e.message), e.message);
      await assertRejects(
        () => v.update("/a.csv", file, { patch: true }),
        InvalidInputError,
        "VersionedCache.update(): the file",
      );
    }
    for (const dest of [5, new URL(`file://${dir}/out`), undefined, ""]) {
      await assertRejects(() => v.sync(dest), InvalidInputError, "the destination directory");
      await assertRejects(
        () => v.syncSettled(dest),
        InvalidInputError,
        "the destination directory",
      );
    }
    for (const path of [5, null, {}]) {
      await assertRejects(() => v.path(path), InvalidInputError, "must be a string");
      await assertRejects(() => v.add(path, `${dir}/f.csv`), InvalidInputError, "must be a string");
    }
    // Nothing was published, pinned or created.
    assertEquals(await Deno.readTextFile(`${dir}/m.json`), "{}\n");
    assertEquals(await names(dir), ["f.csv", "m.json"]);
    await vc.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("configPath, downloadToFile's dest and readManifest's file must be path strings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const configPath of [5, true, new URL("file:///etc/vc.toml")]) {
      assertThrows(() => new AssetCache({ configPath } as Any), InvalidInputError, "configPath");
      assertThrows(() => resolveSettings({ configPath } as Any), InvalidInputError, "configPath");
      assertThrows(() => loadConfigFile(configPath as Any), InvalidInputError, "config file");
    }
    const store = new MemoryStore();
    await store.put("k", new Uint8Array(3));
    for (const dest of [5, new URL(`file://${dir}/k`), undefined]) {
      await assertRejects(
        () => downloadToFile(store, "k", dest as Any),
        InvalidInputError,
        "downloadToFile(): the destination",
      );
    }
    for (const file of [5, undefined]) {
      await assertRejects(
        () => readManifest(file as Any),
        InvalidInputError,
        "readManifest(): the manifest",
      );
    }
    assertEquals(await names(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefill refuses an item of uris that is neither a string nor a list entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    for (const item of [5, null, new URL("s3://b/k")]) {
      await assertRejects(
        () => prefill({ cache, uris: [item as Any] }),
        InvalidInputError,
        "prefill(): an item of uris",
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror refuses a target or source that is neither a path, a URI nor a store", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const target of [5, new URL(`file://${dir}/t`), {}]) {
      await assertRejects(
        () => mirror({ sources: [dir], target } as Any),
        InvalidInputError,
        "mirror(): target",
      );
    }
    await assertRejects(
      () => mirror({ sources: [5], target: `file://${dir}/t` } as Any),
      InvalidInputError,
      "mirror(): source",
    );
    assertEquals(await names(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CacheClient.id refuses params that cannot be JSON before any request", async () => {
  const { CacheClient } = await import("../src/server/mod.ts");
  // Nothing listens on this URL: a request would be an OfflineError.
  const client = new CacheClient({ url: "http://127.0.0.1:9", token: "t" });
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  for (const params of [{ n: 1n }, circular]) {
    await assertRejects(
      () => client.id(params as Any),
      InvalidInputError,
      "cannot be written as JSON",
    );
  }
});

Deno.test("cache() refuses per-call option values of the wrong type, even for a cached copy", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const uri = `file://${dir}/a.txt`;
    await assets.cache(uri);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ immutable: "yes" }, "immutable must be true or false"],
      // Was ignored: the entry stayed in memory as for a call without it.
      [{ once: "yes" }, "once must be true or false"],
      [{ once: 1 }, "once must be true or false"],
      [{ signal: "x" }, "signal must be an AbortSignal"],
      [{ signal: new AbortController() }, "signal must be an AbortSignal"],
      [{ onProgress: 5 }, "onProgress must be a function"],
    ];
    for (const [options, message] of cases) {
      await assertRejects(() => assets.cache(uri, options as Any), InvalidInputError, message);
    }
    assertEquals(
      await assets.cache(uri, { immutable: true, onProgress: () => {} }),
      `${dir}/cache/file${dir}/a.txt`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
