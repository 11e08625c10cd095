/**
 * A resume note is a file on the disk, in a directory others may write to
 * (a mirror target another local user shares, an archive extracted into
 * it, a cache dir in /tmp): what it says of how to check the finished file (an opaque ETag, a
 * `vc-md5`, a store checksum) is not believed. A resumed download is
 * checked as the store describes the object, so a planted partial with a
 * note that vouches for its own bytes never becomes the mirrored file.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { md5Hex } from "../src/hash.ts";
import { joinUri } from "../src/uri.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { StoreError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions } from "../src/store/types.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { testS3Store, WrappingStore } from "./versioned_helpers.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;

/** Plants `.big.bin.vc-tmp-0-shared` (`partial`) and a note saying `done` bytes of it are `info`'s. */
function plant(target: string, partial: Uint8Array, uri: string, done: number, info: object) {
  Deno.mkdirSync(target, { recursive: true });
  const temp = join(target, ".big.bin.vc-tmp-0-shared");
  Deno.writeFileSync(temp, partial);
  const { dev, ino } = Deno.statSync(temp);
  const note = { format: 1, uri, endpoint: "", dev, ino, done, info };
  Deno.writeTextFileSync(join(target, ".big.bin.vc-tmp-0-resume"), JSON.stringify(note));
}

for (
  const [what, vouch] of [
    [
      "an opaque ETag and a vc-md5",
      (md5: string) => ({ opaqueEtag: true, metadata: { "vc-md5": md5 } }),
    ],
    [
      "an opaque ETag and a store checksum",
      (_md5: string, crc: string) => ({
        opaqueEtag: true,
        checksum: { algorithm: "SHA256", value: crc, type: "FULL_OBJECT" },
      }),
    ],
  ] as const
) {
  Deno.test(`mirror store → local: a planted resume note claiming ${what} does not vouch for its partial`, async () => {
    const s3 = await startFakeS3({ buckets: ["b"] });
    const store = testS3Store(s3, "b", { maxAttempts: 1 });
    await using w = await tempDir();
    try {
      const data = randomBytes(SIZE, 21);
      await s3.putObject("b", "d/big.bin", data);
      const head = (await store.head("d/big.bin"))!;
      const target = join(w.dir, "dl");
      // 7 MiB of someone else's bytes, and the object's real last MiB (which
      // the resume fetches): the whole, and its hashes, are known to them.
      const evil = new Uint8Array(SIZE);
      evil.fill(0x41, 0, 7 * MiB);
      evil.set(data.subarray(7 * MiB), 7 * MiB);
      const sha = new Uint8Array(await crypto.subtle.digest("SHA-256", evil)).toBase64();
      plant(target, evil.subarray(0, 7 * MiB), joinUri(store.url, "d/big.bin"), 7 * MiB, {
        key: "d/big.bin",
        size: SIZE,
        etag: head.etag,
        lastModified: head.lastModified.getTime(),
        ...vouch(md5Hex(evil), sha),
      });
      const report = await mirror({
        sources: [store],
        sourcePrefix: "d",
        target,
        statePath: join(w.dir, "s.db"),
        download: { parallelThreshold: MiB, partSize: MiB },
        concurrency: 1,
      });
      assertEquals(report.failed.length, 0);
      assertEquals(md5Hex(await Deno.readFile(join(target, "big.bin"))), md5Hex(data));
    } finally {
      await store.close();
      await s3[Symbol.asyncDispose]();
    }
  });
}

/** A store whose GETs fail (as a 503 would) from the `failFrom`-th on. */
class StoppingStore extends WrappingStore {
  failFrom = Infinity;
  gets = 0;
  override get(key: string, options?: GetOptions) {
    if (++this.gets >= this.failFrom) {
      return Promise.reject(new StoreError("503 Service Unavailable", { status: 503 }));
    }
    return super.get(key, options);
  }
}

Deno.test("asset cache: a resume note rewritten to vouch for other bytes does not put them in the cache", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-resume-note-untrusted-" });
  try {
    const data = randomBytes(SIZE, 22);
    const objects = new Map([["d/big.bin", {
      data,
      etag: md5Hex(data),
      lastModified: new Date(),
      metadata: {},
    }]]);
    const store = new StoppingStore(new MemoryStore({ objects }));
    const make = () =>
      new AssetCache({
        cacheDir: dir,
        configPath: false,
        env: {},
        openStore: () => Promise.resolve(store),
        warn: () => {},
        download: { parallelThreshold: MiB, partSize: MiB, concurrency: 1, attempts: 1 },
      });
    store.failFrom = 5;
    {
      await using first = make();
      await assertRejects(() => first.cache("s3://b/d/big.bin"));
    }
    store.failFrom = Infinity;
    const files = await tempFiles(dir);
    const partial = files.find((f) => f.endsWith("-shared"))!;
    const notePath = files.find((f) => f.endsWith("-resume"))!;
    const note = JSON.parse(await Deno.readTextFile(notePath));
    // Someone who may write the cache dir puts bytes of theirs in the kept
    // prefix, and a note saying the ETag is opaque and their bytes' MD5.
    const done: number = note.done;
    const evil = data.slice();
    evil.fill(0x41, 0, done);
    {
      using f = await Deno.open(partial, { write: true });
      await f.write(evil.subarray(0, done));
    }
    note.info.opaqueEtag = true;
    note.info.metadata = { "vc-md5": md5Hex(evil) };
    await Deno.writeTextFile(notePath, JSON.stringify(note));
    await using next = make();
    const path = await next.cache("s3://b/d/big.bin");
    assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
    assertEquals(await tempFiles(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
