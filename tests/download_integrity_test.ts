/**
 * Downloads verified against pinned content (the integrity lock): size before
 * any byte, SHA-256 on the same chunks as the MD5, for every download shape
 * (small and inline, parallel with one running MD5, parallel multipart parts,
 * opaque ETags); a mismatch is an IntegrityError naming both hashes and
 * leaves neither the file nor a temp file.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { downloadToFile } from "../src/store/download.ts";
import { IntegrityError } from "../src/errors.ts";
import { sha256Hex } from "../src/hash.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";

const MiB = 1024 * 1024;

const SHAPES = [
  { name: "small, inline", etag: "md5" as const, size: 100_000, parallelThreshold: Infinity },
  { name: "parallel, one MD5", etag: "md5" as const, size: 9 * MiB + 7, parallelThreshold: MiB },
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
