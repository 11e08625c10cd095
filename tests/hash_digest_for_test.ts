// `digestFor` hashes small inputs in TypeScript (no Node compatibility layer)
// and large ones natively: both must give node:crypto's digest, also when the
// caller feeds chunks from one buffer it reuses (a file read loop).
import { createHash } from "node:crypto";
import { digestFor, Md5, md5File, md5Hex, sha256File, sha256Hex } from "../src/hash.ts";
import { assertEquals } from "./assert.ts";

const SIZES = [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 4096, 65_537, 256 * 1024];

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + (i >> 7)) & 0xff;
  return out;
}

for (const algorithm of ["md5", "sha256"] as const) {
  Deno.test(`digestFor(${algorithm}): node:crypto's digest at every size, chunks from a reused buffer`, () => {
    for (const size of SIZES) {
      const data = bytes(size);
      const want = createHash(algorithm).update(data).digest("hex");
      const hash = digestFor(algorithm, size);
      const buf = new Uint8Array(1000);
      for (let off = 0; off < size; off += buf.length) {
        const n = Math.min(buf.length, size - off);
        buf.set(data.subarray(off, off + n));
        hash.update(buf.subarray(0, n));
        buf.fill(0xee); // the caller reuses its buffer
      }
      assertEquals(hash.digest("hex"), want, `${algorithm} of ${size} bytes`);
    }
  });
}

Deno.test("md5Hex, sha256Hex, Md5 and the file hashes agree with node:crypto", async () => {
  const path = await Deno.makeTempFile();
  try {
    for (const size of SIZES) {
      const data = bytes(size);
      const md5 = createHash("md5").update(data).digest("hex");
      const sha = createHash("sha256").update(data).digest("hex");
      assertEquals(md5Hex(data), md5);
      assertEquals(sha256Hex(data), sha);
      const m = new Md5(size);
      m.update(data);
      assertEquals(m.hex(), md5);
      await Deno.writeFile(path, data);
      assertEquals(await md5File(path), md5);
      assertEquals(await sha256File(path), sha);
    }
    assertEquals(sha256Hex("abc"), createHash("sha256").update("abc").digest("hex"));
    assertEquals(md5Hex("é"), createHash("md5").update("é").digest("hex"));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("digestFor(sha256) of an input that outgrows its size (a file growing as it is read) stays right", () => {
  // Announced as 10 bytes, fed 3 MiB in 64 KiB chunks: the TypeScript hash
  // hands over to the native one past its limit (its kept copies bounded).
  const data = bytes(3 * 1024 * 1024);
  const hash = digestFor("sha256", 10);
  for (let off = 0; off < data.length; off += 65_536) hash.update(data.subarray(off, off + 65_536));
  assertEquals(hash.digest("hex"), createHash("sha256").update(data).digest("hex"));
});
