/**
 * MD5 in plain TypeScript, for the small bodies of a cold cache fill.
 *
 * Why not `node:crypto`: loading it brings up Deno's Node compatibility
 * layer, 35-50 ms of main-thread time measured here (`node:crypto`,
 * `node:process`, streams), which a process that downloads a thousand small
 * objects pays before its first file is verified: a tenth of the whole run.
 * Hashing 4 KiB here costs ~15 µs against ~11 µs natively, so bodies up to
 * {@linkcode JS_MD5_LIMIT} are hashed with this, and larger ones (where the
 * native speed matters and the load is paid once for many megabytes) with
 * `node:crypto`. A test compares both on inputs of every length around the
 * block boundaries, and on random chunkings.
 *
 * @module
 */

/**
 * Sizes up to this (bytes) are hashed in TypeScript; larger ones natively.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JS_MD5_LIMIT } from "./md5_js.ts";
 * assert(JS_MD5_LIMIT >= 4096);
 * ```
 */
export const JS_MD5_LIMIT: number = 256 * 1024;

/**
 * An incremental MD5 (the `update` / `digest("hex")` shape of a
 * `node:crypto` Hash, so either fits where a hash is fed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsMd5 } from "./md5_js.ts";
 * const h = new JsMd5();
 * h.update(new TextEncoder().encode("a"));
 * h.update(new TextEncoder().encode("bc"));
 * assert.equal(h.digest("hex"), "900150983cd24fb0d6963f7d28e17f72");
 * ```
 */
export class JsMd5 {
  #a = 0x67452301;
  #b = 0xefcdab89 | 0;
  #c = 0x98badcfe | 0;
  #d = 0x10325476;
  // Bytes of an unfinished 64-byte block.
  #pending = new Uint8Array(64);
  #pendingLength = 0;
  #total = 0;
  #done = false;

  /** Takes the next bytes. */
  update(chunk: Uint8Array): this {
    if (this.#done) throw new Error("JsMd5: update after digest");
    this.#total += chunk.length;
    let off = 0;
    if (this.#pendingLength > 0) {
      const n = Math.min(64 - this.#pendingLength, chunk.length);
      this.#pending.set(chunk.subarray(0, n), this.#pendingLength);
      this.#pendingLength += n;
      off = n;
      if (this.#pendingLength < 64) return this;
      this.#block(this.#pending, 0);
      this.#pendingLength = 0;
    }
    const end = chunk.length - 64;
    for (; off <= end; off += 64) this.#block(chunk, off);
    if (off < chunk.length) {
      this.#pending.set(chunk.subarray(off), 0);
      this.#pendingLength = chunk.length - off;
    }
    return this;
  }

  /** The hex digest; the hash takes no more bytes after it. */
  digest(_encoding: "hex"): string {
    if (this.#done) throw new Error("JsMd5: digest called twice");
    const bits = this.#total * 8;
    const tail = new Uint8Array(this.#pendingLength < 56 ? 64 : 128);
    tail.set(this.#pending.subarray(0, this.#pendingLength));
    tail[this.#pendingLength] = 0x80;
    const n = tail.length;
    // Length in bits, little-endian, 64 bits (exact up to 2^53 bits).
    const low = bits >>> 0;
    const high = Math.floor(bits / 0x1_0000_0000) >>> 0;
    tail[n - 8] = low & 0xff;
    tail[n - 7] = (low >>> 8) & 0xff;
    tail[n - 6] = (low >>> 16) & 0xff;
    tail[n - 5] = low >>> 24;
    tail[n - 4] = high & 0xff;
    tail[n - 3] = (high >>> 8) & 0xff;
    tail[n - 2] = (high >>> 16) & 0xff;
    tail[n - 1] = high >>> 24;
    for (let off = 0; off < n; off += 64) this.#block(tail, off);
    this.#done = true;
    return hex(this.#a) + hex(this.#b) + hex(this.#c) + hex(this.#d);
  }

  #block(m: Uint8Array, o: number): void {
    const x0 = word(m, o), x1 = word(m, o + 4), x2 = word(m, o + 8), x3 = word(m, o + 12);
    const x4 = word(m, o + 16), x5 = word(m, o + 20), x6 = word(m, o + 24), x7 = word(m, o + 28);
    const x8 = word(m, o + 32), x9 = word(m, o + 36), x10 = word(m, o + 40);
    const x11 = word(m, o + 44), x12 = word(m, o + 48), x13 = word(m, o + 52);
    const x14 = word(m, o + 56), x15 = word(m, o + 60);
    let a = this.#a, b = this.#b, c = this.#c, d = this.#d;

    a = ff(a, b, c, d, x0, 7, 0xd76aa478);
    d = ff(d, a, b, c, x1, 12, 0xe8c7b756);
    c = ff(c, d, a, b, x2, 17, 0x242070db);
    b = ff(b, c, d, a, x3, 22, 0xc1bdceee);
    a = ff(a, b, c, d, x4, 7, 0xf57c0faf);
    d = ff(d, a, b, c, x5, 12, 0x4787c62a);
    c = ff(c, d, a, b, x6, 17, 0xa8304613);
    b = ff(b, c, d, a, x7, 22, 0xfd469501);
    a = ff(a, b, c, d, x8, 7, 0x698098d8);
    d = ff(d, a, b, c, x9, 12, 0x8b44f7af);
    c = ff(c, d, a, b, x10, 17, 0xffff5bb1);
    b = ff(b, c, d, a, x11, 22, 0x895cd7be);
    a = ff(a, b, c, d, x12, 7, 0x6b901122);
    d = ff(d, a, b, c, x13, 12, 0xfd987193);
    c = ff(c, d, a, b, x14, 17, 0xa679438e);
    b = ff(b, c, d, a, x15, 22, 0x49b40821);

    a = gg(a, b, c, d, x1, 5, 0xf61e2562);
    d = gg(d, a, b, c, x6, 9, 0xc040b340);
    c = gg(c, d, a, b, x11, 14, 0x265e5a51);
    b = gg(b, c, d, a, x0, 20, 0xe9b6c7aa);
    a = gg(a, b, c, d, x5, 5, 0xd62f105d);
    d = gg(d, a, b, c, x10, 9, 0x02441453);
    c = gg(c, d, a, b, x15, 14, 0xd8a1e681);
    b = gg(b, c, d, a, x4, 20, 0xe7d3fbc8);
    a = gg(a, b, c, d, x9, 5, 0x21e1cde6);
    d = gg(d, a, b, c, x14, 9, 0xc33707d6);
    c = gg(c, d, a, b, x3, 14, 0xf4d50d87);
    b = gg(b, c, d, a, x8, 20, 0x455a14ed);
    a = gg(a, b, c, d, x13, 5, 0xa9e3e905);
    d = gg(d, a, b, c, x2, 9, 0xfcefa3f8);
    c = gg(c, d, a, b, x7, 14, 0x676f02d9);
    b = gg(b, c, d, a, x12, 20, 0x8d2a4c8a);

    a = hh(a, b, c, d, x5, 4, 0xfffa3942);
    d = hh(d, a, b, c, x8, 11, 0x8771f681);
    c = hh(c, d, a, b, x11, 16, 0x6d9d6122);
    b = hh(b, c, d, a, x14, 23, 0xfde5380c);
    a = hh(a, b, c, d, x1, 4, 0xa4beea44);
    d = hh(d, a, b, c, x4, 11, 0x4bdecfa9);
    c = hh(c, d, a, b, x7, 16, 0xf6bb4b60);
    b = hh(b, c, d, a, x10, 23, 0xbebfbc70);
    a = hh(a, b, c, d, x13, 4, 0x289b7ec6);
    d = hh(d, a, b, c, x0, 11, 0xeaa127fa);
    c = hh(c, d, a, b, x3, 16, 0xd4ef3085);
    b = hh(b, c, d, a, x6, 23, 0x04881d05);
    a = hh(a, b, c, d, x9, 4, 0xd9d4d039);
    d = hh(d, a, b, c, x12, 11, 0xe6db99e5);
    c = hh(c, d, a, b, x15, 16, 0x1fa27cf8);
    b = hh(b, c, d, a, x2, 23, 0xc4ac5665);

    a = ii(a, b, c, d, x0, 6, 0xf4292244);
    d = ii(d, a, b, c, x7, 10, 0x432aff97);
    c = ii(c, d, a, b, x14, 15, 0xab9423a7);
    b = ii(b, c, d, a, x5, 21, 0xfc93a039);
    a = ii(a, b, c, d, x12, 6, 0x655b59c3);
    d = ii(d, a, b, c, x3, 10, 0x8f0ccc92);
    c = ii(c, d, a, b, x10, 15, 0xffeff47d);
    b = ii(b, c, d, a, x1, 21, 0x85845dd1);
    a = ii(a, b, c, d, x8, 6, 0x6fa87e4f);
    d = ii(d, a, b, c, x15, 10, 0xfe2ce6e0);
    c = ii(c, d, a, b, x6, 15, 0xa3014314);
    b = ii(b, c, d, a, x13, 21, 0x4e0811a1);
    a = ii(a, b, c, d, x4, 6, 0xf7537e82);
    d = ii(d, a, b, c, x11, 10, 0xbd3af235);
    c = ii(c, d, a, b, x2, 15, 0x2ad7d2bb);
    b = ii(b, c, d, a, x9, 21, 0xeb86d391);

    this.#a = (this.#a + a) | 0;
    this.#b = (this.#b + b) | 0;
    this.#c = (this.#c + c) | 0;
    this.#d = (this.#d + d) | 0;
  }
}

function word(m: Uint8Array, o: number): number {
  return m[o]! | (m[o + 1]! << 8) | (m[o + 2]! << 16) | (m[o + 3]! << 24);
}

function rotate(a: number, b: number, s: number): number {
  return (((a << s) | (a >>> (32 - s))) + b) | 0;
}

function ff(a: number, b: number, c: number, d: number, x: number, s: number, t: number): number {
  return rotate((a + ((b & c) | (~b & d)) + x + t) | 0, b, s);
}

function gg(a: number, b: number, c: number, d: number, x: number, s: number, t: number): number {
  return rotate((a + ((b & d) | (c & ~d)) + x + t) | 0, b, s);
}

function hh(a: number, b: number, c: number, d: number, x: number, s: number, t: number): number {
  return rotate((a + (b ^ c ^ d) + x + t) | 0, b, s);
}

function ii(a: number, b: number, c: number, d: number, x: number, s: number, t: number): number {
  return rotate((a + (c ^ (b | ~d)) + x + t) | 0, b, s);
}

// Little-endian hex of a 32-bit word (MD5's output byte order).
function hex(n: number): string {
  let out = "";
  for (let i = 0; i < 4; i++) {
    const byte = (n >>> (i * 8)) & 0xff;
    out += (byte < 16 ? "0" : "") + byte.toString(16);
  }
  return out;
}
