/**
 * A refresh killed (`kill -9`) after its new copy took the data path and
 * before that copy's record was written leaves: the new copy at the data
 * path, still also named by the dead download's lock file
 * (`.<name>.vc-tmp-0-shared`); the copy it replaced under a temp name of
 * the dead process (keepCopy in entry_fetch.ts); the record of the old
 * copy. The sweeps (`vc cache verify` / `prune`, the next download into the
 * directory) must put the kept copy back, as a failed record write does,
 * not throw it away and report the entry corrupt: a cached copy lost for
 * nothing, refused offline.
 */
import { assert, assertEquals } from "./assert.ts";
import { AssetCache, type AssetCacheOptions } from "../src/cache/asset_cache.ts";
import { md5Hex } from "../src/hash.ts";
import { renameOverSync } from "../src/replace_file.ts";
import { statusOrUndefinedSync } from "../src/file_status.ts";
import { FaultStore, randomBytes } from "./fixtures/fault_store.ts";
import { join } from "node:path";

const DEAD_PID = 999999999;

/** Opens a cache of the test's dir (offline when told), with `extra` options. */
type Open = (offline?: boolean, extra?: AssetCacheOptions) => AssetCache;

/**
 * An opener of caches in `dir/cache` over `store` (offline when told), and
 * the path of `s3://bucket/d/x.bin` as one of them cached it.
 */
async function cachedX(
  dir: string,
  store: FaultStore,
): Promise<{ open: Open; dataPath: string }> {
  const open: Open = (offline = false, extra = {}) =>
    new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      offline,
      openStore: () => Promise.resolve(store),
      warn: () => {},
      ...extra,
    });
  await using cache = open();
  return { open, dataPath: await cache.cache("s3://bucket/d/x.bin") };
}

async function withKilledRefresh(
  fn: (open: Open, dataPath: string, v1: Uint8Array) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-refresh-killed-" });
  const store = new FaultStore("s3://bucket");
  const v1 = randomBytes(10_000);
  const v2 = randomBytes(12_000);
  store.set("d/x.bin", v1);
  store.set("d/other.bin", randomBytes(100));
  try {
    const { open, dataPath } = await cachedX(dir, store);
    store.set("d/x.bin", v2);
    // What the killed refresh left (see the module doc).
    const d = join(dir, "cache", "s3", "bucket", "d");
    const shared = join(d, ".x.bin.vc-tmp-0-shared");
    Deno.linkSync(dataPath, join(d, `.x.bin.vc-tmp-${DEAD_PID}-keptcopy`));
    await Deno.writeFile(shared, v2);
    Deno.linkSync(shared, join(d, `.x.bin.vc-tmp-${DEAD_PID}-second1`));
    renameOverSync(join(d, `.x.bin.vc-tmp-${DEAD_PID}-second1`), dataPath);
    await fn(open, dataPath, v1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function temps(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.name.includes(".vc-tmp-")).map((e) => e.name);
}

Deno.test("cache: verify puts back the copy a killed refresh kept, reports nothing corrupt", async () => {
  await withKilledRefresh(async (open, dataPath, v1) => {
    {
      await using cache = open();
      const r = await cache.verify();
      assertEquals(r.corrupt, []);
      assertEquals(r.ok, 1);
    }
    assertEquals(md5Hex(await Deno.readFile(dataPath)), md5Hex(v1));
    assertEquals(temps(join(dataPath, "..")), []);
    await using offline = open(true);
    assertEquals(await offline.cache("s3://bucket/d/x.bin"), dataPath);
  });
});

Deno.test("cache: the next download into the directory puts back the copy a killed refresh kept", async () => {
  await withKilledRefresh(async (open, dataPath, v1) => {
    {
      await using cache = open();
      await cache.cache("s3://bucket/d/other.bin"); // sweeps d/
    }
    assertEquals(md5Hex(await Deno.readFile(dataPath)), md5Hex(v1));
    await using offline = open(true);
    assertEquals(await offline.cache("s3://bucket/d/x.bin"), dataPath);
    assertEquals(md5Hex(await Deno.readFile(dataPath)), md5Hex(v1));
  });
});

Deno.test("cache: offline, the copy a refresh killed before its commit kept is served", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-refresh-killed-" });
  const store = new FaultStore("s3://bucket");
  const v1 = randomBytes(10_000);
  store.set("d/x.bin", v1);
  try {
    const { open, dataPath } = await cachedX(dir, store);
    // Killed after keepCopy gave the copy its second name, before the rename.
    Deno.linkSync(dataPath, join(dataPath, "..", `.x.bin.vc-tmp-${DEAD_PID}-keptcopy`));
    await using offline = open(true);
    assertEquals(await offline.cache("s3://bucket/d/x.bin"), dataPath);
    assertEquals(md5Hex(await Deno.readFile(dataPath)), md5Hex(v1));
    assertEquals(temps(join(dataPath, "..")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: offline, at once after a refresh killed after its commit, the kept copy is served", async () => {
  // The dead download's lock file is seconds old (within the sweeps' grace
  // for it): the offline lookup's own sweep puts the kept copy back, and
  // that copy, recorded, is served, not refused as "not cached".
  await withKilledRefresh(async (open, dataPath, v1) => {
    await using offline = open(true);
    assertEquals(await offline.cache("s3://bucket/d/x.bin"), dataPath);
    assertEquals(md5Hex(await Deno.readFile(dataPath)), md5Hex(v1));
    assertEquals(temps(join(dataPath, "..")), []);
  });
});

Deno.test("cache: a copy put back after a killed refresh is revalidated as its TTL says", async () => {
  // Put back under the next download's lock, the kept copy is the old
  // version, validated before the crash: with a TTL of 0 the store is asked
  // (it holds the 12,000-byte v2), never the old copy served unasked.
  await withKilledRefresh(async (open, dataPath) => {
    const warnings: string[] = [];
    await using cache = open(false, { timeout: 0, warn: (m) => warnings.push(m) });
    assertEquals(await cache.cache("s3://bucket/d/x.bin"), dataPath);
    assertEquals((await Deno.readFile(dataPath)).length, 12_000);
    assertEquals(warnings, []);
  });
});

Deno.test("cache: a copy a refresh killed before its commit kept is revalidated as its TTL says", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-refresh-killed-" });
  const store = new FaultStore("s3://bucket");
  store.set("d/x.bin", randomBytes(10_000));
  try {
    const { open, dataPath } = await cachedX(dir, store);
    store.set("d/x.bin", randomBytes(12_000));
    // Killed after keepCopy gave the copy its second name, before the rename.
    Deno.linkSync(dataPath, join(dataPath, "..", `.x.bin.vc-tmp-${DEAD_PID}-keptcopy`));
    await using cache = open(false, { timeout: 0 });
    assertEquals(await cache.cache("s3://bucket/d/x.bin"), dataPath);
    assertEquals((await Deno.readFile(dataPath)).length, 12_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: verify leaves a new download's lock file created where the killed refresh's lock name was", async () => {
  await withKilledRefresh(async (open, dataPath) => {
    const lockPath = join(dataPath, "..", ".x.bin.vc-tmp-0-shared");
    // Between the sweep's open of the dead name and its lock, another sweep
    // removed that name and a new download created and locked its own lock
    // file there: that file is the new download's, not the dead one's.
    let live: Deno.FsFile | undefined;
    // Whether the new download's lock file still had its name when the
    // verify went on to wait for the entry's lock (the download then ends).
    let kept: boolean | undefined;
    const liveNamed = () => statusOrUndefinedSync(lockPath)?.ino === live!.statSync().ino;
    const { openSync, open: openAsync } = Deno;
    Deno.openSync = (file: string | URL, options?: Deno.OpenOptions) => {
      const opened = openSync(file, options);
      if (live === undefined && String(file) === lockPath) {
        Deno.removeSync(lockPath);
        live = openSync(lockPath, { read: true, write: true, createNew: true });
        live.lockSync(true);
      }
      return opened;
    };
    Deno.open = (file: string | URL, options?: Deno.OpenOptions) => {
      if (live !== undefined && kept === undefined && String(file) === lockPath) {
        kept = liveNamed();
        live.unlockSync();
      }
      return openAsync(file, options);
    };
    try {
      await using cache = open();
      await cache.verify();
    } finally {
      Deno.openSync = openSync;
      Deno.open = openAsync;
    }
    try {
      assert(live !== undefined, "the sweep never opened the dead download's lock name");
      kept ??= liveNamed();
      assert(kept, "the new download's lock file was removed");
    } finally {
      live?.close();
    }
  });
});
