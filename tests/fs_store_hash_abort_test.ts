/**
 * A large file with no sidecar in a `file://` store is hashed for its ETag
 * before a byte is served (seconds a GB), and by a listing. A `get`, `head`
 * or `list` aborted during that hashing stops it at the next read: before,
 * the whole file was read first (and the listing went on), and
 * `vc prefill` / `vc cache get` of such a file, stopped by Ctrl-C, waited
 * for the hash to end before exiting (a second Ctrl-C cut it short, losing
 * the report).
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { type FsHashProgress, FsStore } from "../src/store/fs.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { filesUnder } from "./files_under.ts";
import { tempDir } from "./versioned_helpers.ts";

// Sixteen of the store's 4 MiB hashing reads.
const SIZE = 64 * 1024 * 1024;

/** A file dropped in by hand (no sidecar), an hour old; sparse, so cheap to make. */
async function dropFile(path: string): Promise<void> {
  await Deno.truncate(path, SIZE).catch(async () => {
    await Deno.writeFile(path, new Uint8Array(0));
    await Deno.truncate(path, SIZE);
  });
  const hourAgo = new Date(Date.now() - 3_600_000);
  await Deno.utime(path, hourAgo, hourAgo);
}

/** A store over `dir` whose hashing aborts `stop` once it has begun, recording how far it got. */
function abortingStore(dir: string, stop: AbortController): { store: FsStore; seen: number[] } {
  const seen: number[] = [];
  const store = new FsStore(dir, {
    sidecars: "read-only",
    onHashProgress: (p: FsHashProgress) => {
      seen.push(p.bytes);
      if (p.bytes > 0) stop.abort(new Error("stopped by the user"));
    },
  });
  return { store, seen };
}

for (const op of ["get", "head"] as const) {
  Deno.test(`FsStore ${op} aborted while it hashes a file stops hashing`, async () => {
    await using dir = await tempDir();
    await dropFile(join(dir.path, "big.bin"));
    const stop = new AbortController();
    const { store, seen } = abortingStore(dir.path, stop);
    await using _ = store;
    const e = await assertRejects(() =>
      op === "get"
        ? store.get("big.bin", { signal: stop.signal })
        : store.head("big.bin", { signal: stop.signal })
    );
    assertEquals(e.message, "stopped by the user");
    assert(Math.max(...seen) < SIZE, `hashed on to the end: ${JSON.stringify(seen)}`);
  });
}

Deno.test("FsStore list aborted while it hashes a file for its ETag stops hashing, and fails", async () => {
  await using dir = await tempDir();
  await dropFile(join(dir.path, "big.bin"));
  const stop = new AbortController();
  const { store, seen } = abortingStore(dir.path, stop);
  await using _ = store;
  const listed: string[] = [];
  const e = await assertRejects(async () => {
    for await (const info of store.list("", { signal: stop.signal })) listed.push(info.key);
  });
  // Not a file skipped with a warning: the listing stops with the abort.
  assertEquals(e.message, "stopped by the user");
  assertEquals(listed, []);
  assert(Math.max(...seen) < SIZE, `hashed on to the end: ${JSON.stringify(seen)}`);
});

Deno.test("cache() of a file:// object aborted while it is hashed: close() does not wait for the whole hash", async () => {
  await using dir = await tempDir();
  const src = join(dir.path, "src");
  await Deno.mkdir(src);
  await dropFile(join(src, "big.bin"));
  const stop = new AbortController();
  const { store, seen } = abortingStore(src, stop);
  await using _ = store;
  const cacheDir = join(dir.path, "cache");
  const cache = new AssetCache({
    cacheDir,
    configPath: false,
    env: {},
    openStore: () => Promise.resolve(store),
  });
  try {
    const e = await assertRejects(() =>
      cache.cache(toFileUrl(join(src, "big.bin")).href, { signal: stop.signal })
    );
    assertEquals(e.message, "stopped by the user");
  } finally {
    await cache.close();
  }
  assert(Math.max(...seen) < SIZE, `hashed on to the end: ${JSON.stringify(seen)}`);
  assertEquals(filesUnder(cacheDir, { relative: true }).filter((f) => f.includes(".vc-tmp-")), []);
});
