/**
 * The per-object work of a cold `cache()` of a `file://` source, counted (a
 * cold copy of a thousand small files pays it a thousand times):
 *
 * - its real path (`realpath`, a `readlink` per component of the path) was
 *   resolved for every download, and its mode looked at by a second `stat`
 *   (the cached copy keeps a restrictive mode). A name that is no link is
 *   now read at its directory as it is (that directory store resolves its
 *   root once and refuses a link swapped in at the name), its mode taken
 *   from the same `lstat`; only a link is resolved, still followed.
 * - a small file read whole was hashed twice: by the directory store for
 *   its ETag, then by the download to check the same bytes against that
 *   ETag. Now once (its MD5 is noted for those bytes); a file whose ETag
 *   comes from somewhere else (its sidecar) is still checked.
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { FsStore } from "../src/store/fs.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import { jsHashedBytes } from "../src/md5_js.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

/** Counts the calls of `Deno.realPathSync` / `Deno.realPath` and `Deno.statSync` on `paths`. */
async function counting<T>(
  paths: readonly string[],
  work: () => Promise<T>,
): Promise<{ value: T; resolved: number; statted: number }> {
  const realPathSync = Deno.realPathSync;
  const realPath = Deno.realPath;
  const statSync = Deno.statSync;
  let resolved = 0;
  let statted = 0;
  Deno.realPathSync = (p: string | URL) => {
    if (paths.includes(String(p))) resolved++;
    return realPathSync(p);
  };
  Deno.realPath = (p: string | URL) => {
    if (paths.includes(String(p))) resolved++;
    return realPath(p);
  };
  Deno.statSync = (p: string | URL) => {
    if (paths.includes(String(p))) statted++;
    return statSync(p);
  };
  try {
    return { value: await work(), resolved, statted };
  } finally {
    Deno.realPathSync = realPathSync;
    Deno.realPath = realPath;
    Deno.statSync = statSync;
  }
}

Deno.test("cache() of a file:// URI that is no link: no realpath, no second stat; a restrictive mode kept", async () => {
  await using dir = await tempDir("vc_file_source_path_work_");
  const src = join(await Deno.realPath(dir.path), "src");
  await Deno.mkdir(src);
  const open = join(src, "a.bin");
  const secret = join(src, "s.bin");
  await Deno.writeFile(open, new Uint8Array(100).fill(1));
  await Deno.writeFile(secret, new Uint8Array(100).fill(2), { mode: 0o600 });
  await Deno.chmod(secret, 0o600);
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  const { value: [a, s], resolved, statted } = await counting(
    [open, secret],
    () =>
      Promise.all([
        cache.cache(toFileUrl(open).href),
        cache.cache(toFileUrl(secret).href),
      ]),
  );
  assertEquals(await Deno.readFile(a), new Uint8Array(100).fill(1));
  assertEquals(await Deno.readFile(s), new Uint8Array(100).fill(2));
  assertEquals(resolved, 0, "a name that is no link is not resolved");
  assertEquals(statted, 0, "the mode comes from the one lstat");
  assertEquals((await Deno.stat(s)).mode! & 0o777, 0o600, "the restrictive mode is kept");
  assertEquals((await Deno.stat(a)).mode! & 0o044, 0o044, "a readable source stays readable");
});

Deno.test("cache() of a file:// URI through links: a linked name is resolved once and read; a linked directory is read through", async () => {
  await using dir = await tempDir("vc_file_source_path_work_");
  const root = await Deno.realPath(dir.path);
  const real = join(root, "real");
  await Deno.mkdir(real);
  const target = join(real, "t.bin");
  await Deno.writeFile(target, new Uint8Array(50).fill(7), { mode: 0o640 });
  await Deno.chmod(target, 0o640);
  const link = join(root, "link.bin");
  await Deno.symlink(target, link);
  const dirLink = join(root, "dirlink");
  await Deno.symlink(real, dirLink);
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  const viaLink = await counting([link], () => cache.cache(toFileUrl(link).href));
  assertEquals(viaLink.resolved, 1, "a link is resolved once");
  assertEquals(await Deno.readFile(viaLink.value), new Uint8Array(50).fill(7));
  assertEquals((await Deno.stat(viaLink.value)).mode! & 0o777, 0o640, "the target's mode");
  const viaDir = await cache.cache(toFileUrl(join(dirLink, "t.bin")).href);
  assertEquals(await Deno.readFile(viaDir), new Uint8Array(50).fill(7));
  // A dangling link is the miss it was.
  const dangling = join(root, "dangling.bin");
  await Deno.symlink(join(root, "nowhere"), dangling);
  await assertRejects(() => cache.cache(toFileUrl(dangling).href), Error, "does not exist");
});

Deno.test("a small file:// source read whole is hashed once per download, and a sidecar's ETag is still checked", async () => {
  await using dir = await tempDir("vc_file_source_path_work_");
  const src = join(await Deno.realPath(dir.path), "src");
  await Deno.mkdir(src);
  const count = 6;
  const size = 4096;
  const uris: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = join(src, `f${i}.bin`);
    await Deno.writeFile(p, new Uint8Array(size).fill(i + 1));
    uris.push(toFileUrl(p).href);
  }
  // A sidecar that claims another MD5 for the file's state: its ETag is the
  // sidecar's, so the bytes read whole are checked against it, and fail.
  const store = new FsStore(src);
  await store.put("lie.bin", new Uint8Array(size).fill(9));
  const sidecar = join(src, ".vc~meta~lie.bin.json");
  const sc = JSON.parse(await Deno.readTextFile(sidecar));
  sc.md5 = "0".repeat(32);
  await Deno.writeTextFile(sidecar, JSON.stringify(sc));
  // Settled: last changed more than the racy window (and ctime's second)
  // ago, so the directory store reads each whole.
  await new Promise((r) => setTimeout(r, SETTLE_MS + 1200));
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  const before = jsHashedBytes();
  const got = await Promise.all(uris.map((u) => cache.cache(u)));
  assertEquals(jsHashedBytes() - before, count * size, "each file's bytes hashed once");
  for (const [i, p] of got.entries()) {
    assertEquals(await Deno.readFile(p), new Uint8Array(size).fill(i + 1));
  }

  await assertRejects(
    () => cache.cache(toFileUrl(join(src, "lie.bin")).href),
    Error,
    "0".repeat(32),
  );
});
