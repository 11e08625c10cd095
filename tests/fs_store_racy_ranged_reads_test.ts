/**
 * A file just written into a `file://` store is racy (changed within a
 * timestamp tick of its stat), so its MD5 is never remembered against its
 * state: a same-tick same-size edit must not keep the old ETag. A download
 * in parallel ranges sends one ranged GET with If-Match per part, and each
 * hashed the whole file again (a GB: seconds each, `vc cache get` of a file
 * just dropped in took 3.5× as long). A ranged read whose If-Match names the
 * MD5 of that same state hashed moments ago is now answered from it; a HEAD,
 * a whole GET and a read naming another ETag still hash.
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

const SIZE = 1024 * 1024;

/** A file racy for the whole test: its mtime is an hour ahead, as a clock skew leaves it. */
async function racyFile(path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(SIZE).map((_, i) => (i * 7) % 251);
  await Deno.writeFile(path, bytes);
  const later = new Date(Date.now() + 3_600_000);
  await Deno.utime(path, later, later);
  return bytes;
}

Deno.test("FsStore hashes a racy file once for ranged reads that name its ETag", async () => {
  await using dir = await tempDir();
  const bytes = await racyFile(join(dir.path, "big.bin"));
  let hashes = 0;
  await using store = new FsStore(dir.path, {
    sidecars: "read-only",
    onHashProgress: (p) => void (p.bytes === 0 && hashes++),
  });
  const etag = (await store.head("big.bin"))!.etag;
  assertEquals(etag, md5Hex(bytes));
  assertEquals(hashes, 1);
  for (let start = 0; start < SIZE; start += SIZE / 4) {
    const range = { start, end: start + SIZE / 4 - 1 };
    const got = await store.get("big.bin", { range, ifMatch: `"${etag}"` });
    assertEquals(got.info.etag, etag);
    assertEquals(
      new Uint8Array(await new Response(got.body).arrayBuffer()),
      bytes.slice(start, range.end + 1),
    );
  }
  assertEquals(hashes, 1, "the ranged reads naming its ETag hashed nothing");
  // Anything else still hashes a racy state: a HEAD, a whole GET, a ranged
  // read without If-Match, one naming another ETag.
  await store.head("big.bin");
  assertEquals(hashes, 2);
  await (await store.get("big.bin", { ifMatch: etag })).body.cancel();
  assertEquals(hashes, 3);
  await (await store.get("big.bin", { range: { start: 0, end: 9 } })).body.cancel();
  assertEquals(hashes, 4);
  await assertRejects(
    () => store.get("big.bin", { range: { start: 0, end: 9 }, ifMatch: md5Hex(new Uint8Array(1)) }),
    PreconditionFailedError,
  );
  assertEquals(hashes, 5);
});

Deno.test("FsStore hashes a racy file again once it was edited", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "big.bin");
  await racyFile(path);
  await using store = new FsStore(dir.path, { sidecars: "read-only" });
  const before = (await store.head("big.bin"))!.etag;
  // A size of its own: the state differs, and so does the answer.
  await Deno.writeFile(path, new Uint8Array(SIZE + 1).fill(1));
  await assertRejects(
    () => store.get("big.bin", { range: { start: 0, end: 9 }, ifMatch: before }),
    PreconditionFailedError,
  );
});

Deno.test("a parallel download of a racy file:// object hashes it once, not per range", async () => {
  await using dir = await tempDir();
  const src = join(dir.path, "src");
  await Deno.mkdir(src);
  const bytes = await racyFile(join(src, "big.bin"));
  let hashes = 0;
  await using store = new FsStore(src, {
    sidecars: "read-only",
    onHashProgress: (p) => void (p.bytes === 0 && hashes++),
  });
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    openStore: () => Promise.resolve(store),
    // 16 ranges of 64 KiB.
    download: { parallelThreshold: 64 * 1024, partSize: 64 * 1024 },
  });
  const local = await cache.cache(toFileUrl(join(src, "big.bin")).href);
  assertEquals(await Deno.readFile(local), bytes);
  // The look at the object and its first GET; before, one more per range.
  assert(hashes >= 1 && hashes <= 2, `hashed ${hashes} times`);
});
