/**
 * A small object's download without async layers per object: a body the
 * store read whole is written, hashed and checked in one step
 * (`Verifier.checkComputed`, no read of the file, no async call). The
 * guarantees stay those of the longer path: verified bytes, a clean
 * IntegrityError and no file on a mismatch, a short body resumed with a
 * ranged GET, progress to the end.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { downloadWithTemp } from "../src/store/download.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex, sha256Hex } from "../src/hash.ts";
import { Verifier } from "../src/verify.ts";
import type { GetOptions, GetResult, ObjectInfo, ObjectStore } from "../src/store/types.ts";
import { withTempDir } from "./versioned_helpers.ts";

function bytes(n: number, seed = 3): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

/**
 * A one-object store whose whole-object GET hands `whole` read into memory
 * (`bytes`, as the S3 store does for a small object), announcing `info`;
 * a ranged GET serves `data`'s bytes. Counts the GETs.
 */
function readWholeStore(
  info: ObjectInfo,
  whole: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): ObjectStore & { gets: GetOptions[] } {
  const gets: GetOptions[] = [];
  return {
    url: "mem://b",
    gets,
    head: () => Promise.resolve(info),
    get: (_key: string, o: GetOptions = {}): Promise<GetResult> => {
      gets.push(o);
      if (o.range === undefined) {
        return Promise.resolve({ info, bytes: whole, body: new Blob([whole]).stream() });
      }
      const end = o.range.end === undefined ? data.length : o.range.end + 1;
      return Promise.resolve({
        info,
        body: new Blob([data.subarray(o.range.start, end)]).stream(),
      });
    },
    close: () => Promise.resolve(),
  } as unknown as ObjectStore & { gets: GetOptions[] };
}

function infoOf(data: Uint8Array, etag = md5Hex(data)): ObjectInfo {
  return { key: "k", size: data.length, etag, lastModified: new Date(0) };
}

async function namesIn(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("a small body read whole: written, its MD5 checked, progress to the end, one GET", async () => {
  await withTempDir(async (dir) => {
    const data = bytes(4096);
    const store = readWholeStore(infoOf(data), data, data);
    const seen: number[] = [];
    const got = await downloadWithTemp(store, "k", `${dir}/k`, {
      onProgress: (p) => seen.push(p.bytes),
    });
    assertEquals(got.md5, md5Hex(data));
    assertEquals(await Deno.readFile(`${dir}/k`), data);
    assertEquals(seen.at(-1), data.length);
    assertEquals(store.gets.length, 1);
    assertEquals(await namesIn(dir), ["k"]);
  });
});

Deno.test("a small body read whole that fails its MD5: IntegrityError, no file, no temp file", async () => {
  await withTempDir(async (dir) => {
    const data = bytes(4096);
    const damaged = bytes(4096, 9);
    const store = readWholeStore(infoOf(data), damaged, damaged);
    const e = await assertRejects(
      () => downloadWithTemp(store, "k", `${dir}/k`, { attempts: 2 }),
      IntegrityError,
    );
    assert(e.message.includes("content does not match its ETag"), e.message);
    assertEquals(await namesIn(dir), []);
  });
});

Deno.test("a small body read whole but short: the rest comes by a ranged GET, bytes checked", async () => {
  await withTempDir(async (dir) => {
    const data = bytes(4096);
    const store = readWholeStore(infoOf(data), data.slice(0, 1000), data);
    const got = await downloadWithTemp(store, "k", `${dir}/k`, {});
    assertEquals(got.md5, md5Hex(data));
    assertEquals(await Deno.readFile(`${dir}/k`), data);
    assertEquals(store.gets.map((o) => o.range?.start), [undefined, 1000]);
  });
});

Deno.test("Verifier.checkComputed settles an MD5 ETag from the hash made on the way, else leaves it to verify", async () => {
  const data = bytes(1000);
  const info = infoOf(data);
  const hashed = (v: Verifier) => {
    const h = v.hasher();
    h.update(data);
    return h.finish();
  };
  const plain = new Verifier(info, { uri: "s3://b/k" });
  assertEquals(plain.checkComputed(hashed(plain)), { md5: md5Hex(data) });
  // A mismatch throws what verify() throws.
  const other = new Verifier(infoOf(data, md5Hex(bytes(1000, 9))), { uri: "s3://b/k" });
  const computed = hashed(other);
  const thrown = assertThrows(() => other.checkComputed(computed), IntegrityError);
  const path = await Deno.makeTempFile({ prefix: "vc-check-computed-" });
  try {
    await Deno.writeFile(path, data);
    const verified = await assertRejects(
      () => other.verify(path, computed, new AbortController().signal),
      IntegrityError,
    );
    assertEquals(thrown.message, verified.message);
  } finally {
    await Deno.remove(path);
  }
  // Not settled without reading the file: a pinned SHA-256, a read-back MD5, a multipart ETag.
  const pinned = new Verifier(info, { uri: "s3://b/k", sha256: sha256Hex(data) });
  assertEquals(pinned.checkComputed({ md5: md5Hex(data) }), undefined);
  assertEquals(plain.checkComputed({ md5: md5Hex(data), readBack: true }), undefined);
  const multipart = new Verifier({ ...info, etag: `${md5Hex(data)}-2` }, { uri: "s3://b/k" });
  assertEquals(multipart.checkComputed({ md5: md5Hex(data) }), undefined);
});
