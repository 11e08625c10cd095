/**
 * A `get` of a small file in a directory store read the file twice: once to
 * hash it for its ETag (no sidecar knew it: a `file://` source), then again
 * to stream it, so a cold `vc prefill` of many small `file://` URIs paid
 * two reads (and their seeks) a file. A settled small file is now read
 * once: the same bytes are hashed and served. What the second read made
 * sure of still holds: a file written while it is read is served as one
 * version whose ETag is of the bytes served, and a sidecar's MD5 that the
 * bytes do not match fails the cache's copy.
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { FsStore } from "../src/store/fs.ts";
import { sidecarFor } from "../src/store/fs_info.ts";
import { sidecarName } from "../src/store/fs_layout.ts";
import { fingerprint, writeSidecar } from "../src/store/fs_meta.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

const SIZE = 4096;

function content(fill: number): Uint8Array {
  return new Uint8Array(SIZE).map((_, i) => (i * 7 + fill) & 0xff);
}

/**
 * Runs `fn` counting the bytes read through handles opened on files named
 * `name`; `afterFirstRead` runs once, after the first such read.
 */
async function readsOf(
  name: string,
  fn: () => Promise<void>,
  afterFirstRead?: () => void,
): Promise<{ bytes: number; reads: number }> {
  const open = Deno.open;
  const read = Deno.FsFile.prototype.read;
  const watched = new WeakSet<Deno.FsFile>();
  const seen = { bytes: 0, reads: 0 };
  let hooked = afterFirstRead;
  Deno.open = async (path: string | URL, options?: Deno.OpenOptions) => {
    const file = await open(path, options);
    if (String(path).endsWith(`/${name}`)) watched.add(file);
    return file;
  };
  Deno.FsFile.prototype.read = async function (this: Deno.FsFile, p: Uint8Array) {
    const n = await read.call(this, p);
    if (watched.has(this)) {
      seen.reads++;
      seen.bytes += n ?? 0;
      const then = hooked;
      hooked = undefined;
      then?.();
    }
    return n;
  };
  try {
    await fn();
  } finally {
    Deno.open = open;
    Deno.FsFile.prototype.read = read;
  }
  return seen;
}

Deno.test("FsStore get: a settled small file is read once; a change while it is read and a wrong sidecar MD5 are still caught", async (t) => {
  await using dir = await tempDir();
  const src = join(await Deno.realPath(dir.path), "src");
  await Deno.mkdir(src);
  for (const name of ["once.bin", "cached.bin", "edited.bin", "edited2.bin", "rotten.bin"]) {
    await Deno.writeFile(join(src, name), content(1));
  }
  // A sidecar that describes rotten.bin's state with another MD5 (its bytes
  // changed behind an unchanged size and times: a disk's damage).
  const rotten = join(src, "rotten.bin");
  writeSidecar(
    join(src, sidecarName("rotten.bin")),
    sidecarFor(md5Hex(content(2)), fingerprint(await Deno.lstat(rotten)), undefined, undefined),
  );
  // Settled: last changed more than the racy window (and ctime's second) ago.
  await new Promise((r) => setTimeout(r, SETTLE_MS + 1200));
  await using store = new FsStore(src, { sidecars: "read-only" });

  await t.step("served and hashed from one read", async () => {
    let got: Uint8Array | undefined;
    let etag = "";
    const seen = await readsOf("once.bin", async () => {
      const r = await store.get("once.bin");
      etag = r.info.etag;
      got = new Uint8Array(await new Response(r.body).arrayBuffer());
    });
    assertEquals(got, content(1));
    assertEquals(etag, md5Hex(content(1)));
    assertEquals(seen.bytes, SIZE, "the file's bytes were read once");
  });

  await t.step("cache() of a file:// URI reads its source once", async () => {
    await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
    let local = "";
    const seen = await readsOf("cached.bin", async () => {
      local = await cache.cache(toFileUrl(join(src, "cached.bin")).href);
    });
    assertEquals(await Deno.readFile(local), content(1));
    assertEquals(seen.bytes, SIZE, "the source's bytes were read once");
  });

  await t.step("a file written while it is read is served as one version", async () => {
    const edited = join(src, "edited.bin");
    let got: Uint8Array | undefined;
    let etag = "";
    await readsOf("edited.bin", async () => {
      const r = await store.get("edited.bin");
      etag = r.info.etag;
      got = new Uint8Array(await new Response(r.body).arrayBuffer());
    }, () => Deno.writeFileSync(edited, content(3))); // in place: same inode and size
    assertEquals(got, content(3), "the version after the write, not the one read before it");
    assertEquals(etag, md5Hex(content(3)), "the ETag is of the bytes served");
  });

  await t.step("cache() of a file written while it is read keeps one version", async () => {
    await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
    const edited = join(src, "edited2.bin");
    const uri = toFileUrl(edited).href;
    let local = "";
    await readsOf("edited2.bin", async () => {
      local = await cache.cache(uri);
    }, () => Deno.writeFileSync(edited, content(4)));
    assertEquals(await Deno.readFile(local), content(4));
    const entry = (await cache.ls()).find((e) => e.uri === uri);
    assertEquals(entry?.etag, md5Hex(content(4)), "its record's ETag is of the copy");
  });

  await t.step("a sidecar MD5 the bytes do not match fails the cache's copy", async () => {
    await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
    const uri = toFileUrl(rotten).href;
    await assertRejects(() => cache.cache(uri), IntegrityError, "rotten.bin");
    assert((await cache.ls()).every((e) => e.uri !== uri), "nothing cached");
  });
});
