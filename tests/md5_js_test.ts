import { createHash } from "node:crypto";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { JS_MD5_LIMIT, JsMd5 } from "../src/md5_js.ts";
import { StreamHasher } from "../src/verify.ts";
import { randomBytes as bytes } from "./fixtures/fault_store.ts";

function nodeMd5(b: Uint8Array): string {
  return createHash("md5").update(b).digest("hex");
}

Deno.test("JsMd5 equals node:crypto for every length around the block boundaries, in one piece and in random chunks", () => {
  for (let n = 0; n <= 300; n++) {
    const b = bytes(n, n + 7);
    assertEquals(new JsMd5().update(b).digest("hex"), nodeMd5(b), `length ${n}`);
    const h = new JsMd5();
    let off = 0;
    let step = 1;
    while (off < n) {
      const k = Math.min(n - off, step);
      h.update(b.subarray(off, off + k));
      off += k;
      step = (step * 7 + 3) % 71 + 1;
    }
    assertEquals(h.digest("hex"), nodeMd5(b), `length ${n}, chunked`);
  }
});

Deno.test("JsMd5 equals node:crypto on a few MiB fed in odd chunks, and refuses use after digest", () => {
  const b = bytes(3 * 1024 * 1024 + 5, 99);
  const h = new JsMd5();
  for (let off = 0; off < b.length; off += 65_537) h.update(b.subarray(off, off + 65_537));
  assertEquals(h.digest("hex"), nodeMd5(b));
  assertThrows(() => h.update(b.subarray(0, 1)));
  assertThrows(() => h.digest("hex"));
});

Deno.test("StreamHasher gives the same MD5, part MD5s and SHA-256 below and above the TypeScript hashing limit", () => {
  for (const size of [0, 1, 4096, JS_MD5_LIMIT, JS_MD5_LIMIT + 1]) {
    const b = bytes(size, size + 1);
    for (const segment of [Infinity, 1000, 0]) {
      const small = new StreamHasher(segment, 0, true, size);
      const large = new StreamHasher(segment, 0, true, Infinity);
      // The caller reuses its buffer: the hasher must not keep a view of it.
      const buf = new Uint8Array(777);
      for (let off = 0; off < size; off += buf.length) {
        const n = Math.min(buf.length, size - off);
        buf.set(b.subarray(off, off + n));
        small.update(buf.subarray(0, n));
        large.update(buf.subarray(0, n));
        buf.fill(0);
      }
      const got = small.finish();
      assertEquals(got, large.finish(), `size ${size}, segment ${segment}`);
      assertEquals(got.sha256, createHash("sha256").update(b).digest("hex"));
      if (segment === Infinity) assertEquals(got.md5, nodeMd5(b));
    }
  }
});

Deno.test("a process hashes in TypeScript only small bodies, and only up to its budget (then node:crypto)", async () => {
  const { claimJsHashing, JS_MD5_BUDGET } = await import("../src/md5_js.ts");
  assertEquals(claimJsHashing(JS_MD5_LIMIT + 1), false);
  let claims = 0;
  while (claimJsHashing(JS_MD5_LIMIT) && claims <= JS_MD5_BUDGET / JS_MD5_LIMIT) claims++;
  // Spent (by this loop or earlier hashing in this process): no more, even a small body.
  assert(claims <= JS_MD5_BUDGET / JS_MD5_LIMIT, `${claims} claims`);
  assertEquals(claimJsHashing(JS_MD5_LIMIT), false);
  // The StreamHasher still agrees with node:crypto once the budget is spent.
  const b = bytes(4096, 5);
  const h = new StreamHasher(Infinity, 0, false, b.length);
  h.update(b);
  assertEquals(h.finish().md5, nodeMd5(b));
});
