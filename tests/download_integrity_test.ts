/**
 * Downloads verified against pinned content (the integrity lock): size before
 * any byte, then the SHA-256 as the bytes arrive, in place of the MD5/ETag
 * hash, for every download shape (small and inline, parallel with one running
 * hash, parallel multipart, opaque ETags); a mismatch (another pin, bytes
 * corrupted in transit, an object replaced behind the pin, even mid-download)
 * is an IntegrityError naming both hashes and leaves neither the file nor a
 * temp file.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { downloadToFile } from "../src/store/download.ts";
import { IntegrityError } from "../src/errors.ts";
import { sha256Hex } from "../src/hash.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { refusedPinnedDownload } from "./pinned_download.ts";

const MiB = 1024 * 1024;

const SHAPES = [
  { name: "small, inline", etag: "md5" as const, size: 100_000, parallelThreshold: Infinity },
  {
    name: "parallel, one running hash",
    etag: "md5" as const,
    size: 9 * MiB + 7,
    parallelThreshold: MiB,
  },
  {
    name: "parallel multipart parts",
    etag: { partSize: 2 * MiB },
    size: 9 * MiB + 7,
    parallelThreshold: MiB,
  },
  { name: "opaque ETag", etag: "opaque" as const, size: 3 * MiB, parallelThreshold: MiB },
];

for (const shape of SHAPES) {
  Deno.test(`integrity: ${shape.name}: the pinned SHA-256 passes, another is refused`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-integrity-" });
    try {
      const store = new FaultStore();
      const data = randomBytes(shape.size, 3);
      store.set("k", data, { etag: shape.etag });
      const options = { parallelThreshold: shape.parallelThreshold, partSize: MiB };
      const good = { size: data.length, sha256: sha256Hex(data), label: "/k@1.0.0" };
      await downloadToFile(store, "k", `${dir}/ok`, { ...options, integrity: good });
      assertEquals((await Deno.readFile(`${dir}/ok`)).length, data.length);
      const wrong = { ...good, sha256: "0".repeat(64) };
      const e = await assertRejects(
        () => downloadToFile(store, "k", `${dir}/bad`, { ...options, integrity: wrong }),
        IntegrityError,
        "/k@1.0.0",
      );
      assertStringIncludes(e.message, good.sha256);
      assertStringIncludes(e.message, wrong.sha256);
      assertEquals(await Deno.stat(`${dir}/bad`).catch(() => "absent"), "absent");
      assertEquals(await tempFiles(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("integrity: a size mismatch is refused before the body is fetched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-integrity-" });
  try {
    const store = new FaultStore();
    const data = randomBytes(4 * MiB, 5);
    const info = store.set("k", data);
    const integrity = { size: data.length + 1, sha256: sha256Hex(data) };
    const e = await assertRejects(
      () =>
        downloadToFile(store, "k", `${dir}/x`, {
          expected: info,
          parallelThreshold: MiB,
          integrity,
        }),
      IntegrityError,
      `size ${data.length + 1}`,
    );
    assertStringIncludes(e.message, `size ${data.length}`);
    assertEquals(store.counts.rangedGet, 0);
    assertEquals(await tempFiles(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const shape of SHAPES) {
  Deno.test(`integrity: ${shape.name}: bytes corrupted in transit are refused by the SHA-256`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-integrity-" });
    try {
      const store = new FaultStore();
      const data = randomBytes(shape.size, 7);
      store.set("k", data, { etag: shape.etag });
      // Every response has one flipped byte: no retry can fix it.
      store.always = "corrupt";
      const { error: e, pin } = await refusedPinnedDownload(store, `${dir}/bad`, data, {
        parallelThreshold: shape.parallelThreshold,
      });
      assertStringIncludes(e.message, `SHA-256 ${pin.sha256} is pinned`);
      assertEquals(await Deno.stat(`${dir}/bad`).catch(() => "absent"), "absent");
      assertEquals(await tempFiles(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  // (A small object comes in one GET: there is no "mid" to replace it in.)
  Deno.test({
    name: `integrity: ${shape.name}: an object replaced mid-download behind the pin is refused`,
    ignore: shape.parallelThreshold === Infinity,
  }, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-integrity-" });
    try {
      const store = new FaultStore();
      const v1 = randomBytes(shape.size, 8);
      const v2 = randomBytes(shape.size, 9); // same size: only the hash tells
      const info = store.set("k", v1, { etag: shape.etag });
      const get = store.get.bind(store);
      const seen: { ranged: boolean; ifMatch: string | undefined }[] = [];
      let swapped = false;
      store.get = async (key, options) => {
        seen.push({ ranged: options?.range !== undefined, ifMatch: options?.ifMatch });
        // The first ranged GET is served from v1, everything after from v2.
        const result = await get(key, options);
        if (!swapped) {
          swapped = true;
          store.set("k", v2, { etag: shape.etag });
        }
        return result;
      };
      const { error: e } = await refusedPinnedDownload(store, `${dir}/bad`, v1, {
        expected: info,
        parallelThreshold: shape.parallelThreshold,
      });
      // Never a mix: the pinned v1 is not what the store holds now, and v2's hash is named.
      assertStringIncludes(e.message, `SHA-256 ${sha256Hex(v2)}`);
      // Ranged GETs stay tied to the ETag the HEAD named (v1's; after the
      // restart, v2's, which its first whole-object GET named).
      assertEquals(seen[0], { ranged: true, ifMatch: info.etag });
      const ranged = seen.filter((r) => r.ranged);
      assert(ranged.length > 1 && ranged.every((r) => r.ifMatch !== undefined));
      assertEquals(await Deno.stat(`${dir}/bad`).catch(() => "absent"), "absent");
      assertEquals(await tempFiles(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
