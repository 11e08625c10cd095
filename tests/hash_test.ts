import { assert, assertEquals } from "./assert.ts";
import {
  candidatePartSizes,
  Md5,
  md5File,
  md5Hex,
  multipartEtag,
  normalizeEtag,
  parseEtag,
} from "../src/hash.ts";
import { createHash } from "node:crypto";

Deno.test("md5Hex matches RFC 1321 test vectors", () => {
  assertEquals(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  assertEquals(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  assertEquals(
    md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
    "57edf4a22be3c955ac49da2e2107b67a",
  );
});

Deno.test("Md5 incremental equals one-shot", () => {
  const h = new Md5();
  h.update(new TextEncoder().encode("ab"));
  h.update(new TextEncoder().encode("c"));
  assertEquals(h.hex(), md5Hex("abc"));
});

Deno.test("md5File hashes whole files and ranges across read-chunk boundaries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 20 MiB + 7 bytes: spans several 8 MiB read chunks with a ragged tail.
    const data = new Uint8Array(20 * 1024 * 1024 + 7);
    for (let i = 0; i < data.length; i += 65536) {
      crypto.getRandomValues(data.subarray(i, Math.min(i + 65536, data.length)));
    }
    const path = `${dir}/f.bin`;
    await Deno.writeFile(path, data);
    assertEquals(await md5File(path), md5Hex(data));
    const ranges: Array<[number, number]> = [[0, 1], [3, 100], [
      8 * 1024 * 1024 - 5,
      9 * 1024 * 1024,
    ], [
      data.length - 3,
      3,
    ]];
    for (const [start, length] of ranges) {
      assertEquals(
        await md5File(path, { start, length }),
        md5Hex(data.subarray(start, start + length)),
      );
    }
    let last = 0;
    await md5File(path, { onProgress: (n) => (last = n) });
    assertEquals(last, data.length);
    const empty = `${dir}/empty`;
    await Deno.writeFile(empty, new Uint8Array());
    assertEquals(await md5File(empty), md5Hex(""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("multipartEtag is the md5 of the concatenated binary part digests", () => {
  const parts = ["part one", "part two", "three"];
  const expected = createHash("md5");
  for (const p of parts) expected.update(createHash("md5").update(p).digest());
  assertEquals(multipartEtag(parts.map((p) => md5Hex(p))), `${expected.digest("hex")}-3`);
});

Deno.test("parseEtag classifies md5, multipart and opaque ETags", () => {
  assertEquals(parseEtag('"900150983cd24fb0d6963f7d28e17f72"'), {
    kind: "md5",
    md5: "900150983cd24fb0d6963f7d28e17f72",
  });
  assertEquals(parseEtag('W/"900150983CD24FB0D6963F7D28E17F72-12"'), {
    kind: "multipart",
    parts: 12,
  });
  assertEquals(parseEtag("abc").kind, "opaque");
  assertEquals(parseEtag("900150983cd24fb0d6963f7d28e17f72-").kind, "opaque");
  assertEquals(normalizeEtag('"x"'), "x");
});

Deno.test("candidatePartSizes proposes the part size that produced a multipart ETag", () => {
  const MiB = 1024 * 1024;
  // aws CLI default: 8 MiB parts.
  assert(candidatePartSizes(100 * MiB, 13).includes(8 * MiB));
  // SDK default: 5 MiB parts.
  assert(candidatePartSizes(12 * MiB, 3).includes(5 * MiB));
  // Every candidate really yields that many parts.
  for (const size of candidatePartSizes(1000 * MiB + 1, 7)) {
    assertEquals(Math.ceil((1000 * MiB + 1) / size), 7);
  }
  assertEquals(candidatePartSizes(10, 0), []);
  assertEquals(candidatePartSizes(0, 1).length, 1); // one empty part
  assertEquals(candidatePartSizes(0, 2), []);
});
