/**
 * src/verify.ts through downloadToFile: one pass checks MD5 and a pinned
 * SHA-256 (sequential and parallel downloads), unverifiable answers are
 * refused, and learned part sizes are reported.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { downloadToFile } from "../src/store/download.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex, sha256Hex } from "../src/hash.ts";
import { checkFile, StreamHasher, Verifier } from "../src/verify.ts";
import type { GetOptions, GetResult, ObjectInfo, ObjectStore } from "../src/store/types.ts";
import { withTempDir } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

/** A one-object store serving `data` with the given ETag (ranges too). */
function oneObject(data: Uint8Array<ArrayBuffer>, etag: string): ObjectStore {
  const info: ObjectInfo = { key: "k", size: data.length, etag, lastModified: new Date(0) };
  return {
    url: "mem://b",
    head: () => Promise.resolve(info),
    get: (_key: string, o: GetOptions = {}): Promise<GetResult> => {
      const start = o.range?.start ?? 0;
      const end = o.range?.end === undefined ? data.length : o.range.end + 1;
      return Promise.resolve({ info, body: new Blob([data.subarray(start, end)]).stream() });
    },
    // The rest of an ObjectStore, which a download never calls.
    put: unused,
    list: unused,
    delete: unused,
    copy: unused,
    close: () => Promise.resolve(),
  } as unknown as ObjectStore;
}

function unused(): never {
  throw new Error("a download does not call this");
}

function bytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(fn, "vc-verify-");
}

for (
  const [name, size, threshold] of [["sequential", 100_000, 32 * MiB], [
    "parallel",
    3 * MiB,
    MiB,
  ]] as const
) {
  Deno.test(`a pinned SHA-256 replaces the MD5 check (${name})`, async () => {
    await withDir(async (dir) => {
      const data = bytes(size);
      const store = oneObject(data, md5Hex(data));
      const good = await downloadToFile(store, "k", `${dir}/ok`, {
        parallelThreshold: threshold,
        partSize: 256 * 1024,
        integrity: { size, sha256: sha256Hex(data) },
      });
      // The SHA-256 was checked; the MD5 was not computed, so none is claimed.
      assertEquals([good.md5, good.sha256], [undefined, sha256Hex(data)]);
      // Unpinned, the same download is checked (and reported) by its MD5 as before.
      const plain = await downloadToFile(store, "k", `${dir}/plain`, {
        parallelThreshold: threshold,
        partSize: 256 * 1024,
      });
      assertEquals([plain.md5, plain.sha256], [md5Hex(data), undefined]);
      const e = await assertRejects(
        () =>
          downloadToFile(store, "k", `${dir}/bad`, {
            parallelThreshold: threshold,
            partSize: 256 * 1024,
            integrity: { size, sha256: sha256Hex("other"), label: "/a.bin@1.0.0 in lock" },
          }),
        IntegrityError,
        "is pinned",
      );
      assertStringIncludes(e.message, "/a.bin@1.0.0 in lock");
      await assertRejects(() => Deno.stat(`${dir}/bad`), Deno.errors.NotFound);
      await assertRejects(
        () => downloadToFile(store, "k", `${dir}/size`, { integrity: { size: 1, sha256: "x" } }),
        IntegrityError,
        "size 1 is",
      );
    });
  });
}

for (
  const [name, size, threshold] of [["sequential", 100_000, 32 * MiB], [
    "parallel",
    3 * MiB,
    MiB,
  ]] as const
) {
  Deno.test(`pinned content is the check: an ETag that is not its MD5 passes only when pinned (${name})`, async () => {
    await withDir(async (dir) => {
      const data = bytes(size);
      // The store's ETag does not describe these bytes (a broken proxy, a bad
      // store): unpinned, the MD5/ETag check refuses them exactly as before.
      const store = oneObject(data, md5Hex("something else"));
      const options = { parallelThreshold: threshold, partSize: 256 * 1024 };
      await assertRejects(
        () => downloadToFile(store, "k", `${dir}/plain`, options),
        IntegrityError,
        "does not match its ETag",
      );
      // Pinned, the bytes are proven to be the published ones by the stronger SHA-256.
      const got = await downloadToFile(store, "k", `${dir}/ok`, {
        ...options,
        integrity: { size, sha256: sha256Hex(data) },
      });
      assertEquals(got.sha256, sha256Hex(data));
      assertEquals(sha256Hex(await Deno.readFile(`${dir}/ok`)), sha256Hex(data));
    });
  });
}

Deno.test("Verifier: pinOnly drops the MD5 from the plan; without it both are checked", async () => {
  const data = bytes(1000);
  const info: ObjectInfo = { key: "k", size: 1000, etag: md5Hex(data), lastModified: new Date(0) };
  const sha256 = sha256Hex(data);
  const pinned = new Verifier(info, { uri: "s3://b/k", sha256, pinOnly: true });
  assertEquals([pinned.plan.pinOnly, pinned.plan.segment], [true, 0]);
  const both = new Verifier(info, { uri: "s3://b/k", sha256 });
  assertEquals([both.plan.pinOnly, both.plan.segment], [false, Infinity]);
  // pinOnly without a SHA-256 to check changes nothing.
  assertEquals(new Verifier(info, { uri: "s3://b/k", pinOnly: true }).plan.segment, Infinity);
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, data);
    const h = pinned.hasher();
    h.update(data);
    const signal = new AbortController().signal;
    assertEquals(await pinned.verify(path, h.finish(), signal), { sha256 });
    assertEquals(await both.verify(path, {}, signal), { md5: md5Hex(data), sha256 });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("Verifier: refuses no ETag or a weak non-MD5 one, accepts vc-md5 or a declared opaque ETag", () => {
  const base = { key: "k", size: 1, lastModified: new Date(0) };
  for (const etag of ["", 'W/"abc"']) {
    let threw = false;
    try {
      new Verifier({ ...base, etag }, { uri: "s3://b/k" });
    } catch (e) {
      threw = e instanceof IntegrityError && e.message.includes("s3://b/k");
    }
    assert(threw, `etag ${JSON.stringify(etag)} refused`);
  }
  new Verifier({ ...base, etag: "", metadata: { "vc-md5": md5Hex("a") } }, { uri: "u" });
  new Verifier({ ...base, etag: "kms-opaque", opaqueEtag: true }, { uri: "u" });
  new Verifier({ ...base, etag: `W/"${md5Hex("a")}"` }, { uri: "u" });
});

Deno.test("StreamHasher and checkFile: uneven known part sizes verify; a real mismatch does not", async () => {
  await withDir(async (dir) => {
    const parts = [bytes(5 * 1024), bytes(7 * 1024), bytes(3 * 1024)];
    const whole = new Uint8Array(await new Blob(parts).arrayBuffer());
    await Deno.writeFile(`${dir}/f`, whole);
    const { multipartEtag } = await import("../src/hash.ts");
    const etag = multipartEtag(parts.map((p) => md5Hex(p)));
    const expected = { size: whole.length, etag, partSizes: [5 * 1024, 7 * 1024, 3 * 1024] };
    assertEquals(await checkFile(`${dir}/f`, expected), undefined);
    const learned = await checkFile(`${dir}/f`, { size: whole.length, etag }, {
      partSize: (n) => Promise.resolve(parts[n - 1]?.length),
    });
    assertEquals(learned, undefined);
    whole[9000] = whole[9000]! ^ 1;
    await Deno.writeFile(`${dir}/f`, whole);
    // The message names the recorded sizes it tried, not only the standard ones.
    assertStringIncludes(
      (await checkFile(`${dir}/f`, expected)) ?? "",
      `recorded part sizes ${5 * 1024}, ${7 * 1024}, ${3 * 1024}`,
    );
    const h = new StreamHasher(Infinity, 0, true);
    h.update(whole);
    assertEquals(h.finish().sha256, sha256Hex(whole));
  });
});

Deno.test("an empty object uploaded as one empty multipart part (ETag md5(md5(''))-1) verifies", async () => {
  await withDir(async (dir) => {
    const { multipartEtag } = await import("../src/hash.ts");
    const empty = new Uint8Array(0);
    const etag = multipartEtag([md5Hex(empty)]);
    const store = oneObject(empty, etag);
    const got = await downloadToFile(store, "k", `${dir}/e`);
    assertEquals((await Deno.stat(`${dir}/e`)).size, 0);
    assert(got !== undefined);
    assertEquals(await checkFile(`${dir}/e`, { size: 0, etag }), undefined);
    // A real mismatch is still one.
    await assertRejects(
      () => downloadToFile(oneObject(empty, multipartEtag([md5Hex("x")])), "k", `${dir}/bad`),
      IntegrityError,
    );
  });
});
