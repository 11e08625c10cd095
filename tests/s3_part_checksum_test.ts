/**
 * `partChecksum: "crc32"`: S3Store protects each multipart part with
 * `x-amz-checksum-crc32` instead of Content-MD5; a part corrupted on the
 * way is refused by the server and the put fails with no object and no
 * upload left behind; the engine checks what the server confirms (part
 * CRC32s, composite CRC32) and falls back to MD5 for a part whose checksum
 * the server does not confirm.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { compositeCrc32, crc32Base64 } from "../src/store/crc32.ts";
import {
  bytesPartSource,
  type MultipartTarget,
  type PartDigest,
  type PartReceipt,
  uploadMultipart,
} from "../src/store/multipart_upload.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex, multipartEtag } from "../src/hash.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";

const MiB = 1024 * 1024;

function data(size: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 4093) b[i] = (i * 7) & 0xff;
  return b;
}

interface PartSeen {
  partNumber: string;
  crc32: string | null;
  md5: string | null;
}

/**
 * A fake S3 behind a proxy that records UploadPart headers and can flip a
 * byte of one part's body on the way.
 */
async function withProxiedFake(
  fn: (ctx: {
    store: S3Store;
    parts: PartSeen[];
    corruptPart: (n: number | undefined) => void;
    uploadsLeft: () => Promise<number>;
  }) => Promise<void>,
): Promise<void> {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  const parts: PartSeen[] = [];
  let corrupt: number | undefined;
  await using proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const target = `${s3.url}${url.pathname}${url.search}`;
    const partNumber = url.searchParams.get("partNumber");
    let body: Uint8Array<ArrayBuffer> | null = req.body === null
      ? null
      : new Uint8Array(await req.arrayBuffer());
    if (partNumber !== null && req.method === "PUT") {
      parts.push({
        partNumber,
        crc32: req.headers.get("x-amz-checksum-crc32"),
        md5: req.headers.get("content-md5"),
      });
      if (Number(partNumber) === corrupt && body !== null) {
        body = body.slice();
        body[body.length >> 1]! ^= 0xff;
      }
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    headers.delete("content-length");
    const res = await fetch(target, { method: req.method, headers, body });
    return new Response(res.body, { status: res.status, headers: res.headers });
  });
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${proxy.addr.port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 5 * MiB,
    partSize: 5 * MiB,
    maxAttempts: 2,
  });
  try {
    await fn({
      store,
      parts,
      corruptPart: (n) => {
        corrupt = n;
      },
      uploadsLeft: async () => {
        const xml = await (await fetch(`${s3.url}/b?uploads`)).text();
        return xml.split("<Upload>").length - 1;
      },
    });
  } finally {
    await store.close();
  }
}

Deno.test("S3Store partChecksum crc32: parts go with x-amz-checksum-crc32, no Content-MD5", async () => {
  await withProxiedFake(async ({ store, parts, uploadsLeft }) => {
    const body = data(12 * MiB + 5);
    const result = await store.put("big.bin", ReadableStream.from([body]), {
      partChecksum: "crc32",
    });
    assertMatch(result.etag, /-3$/);
    // The server still gives the object its multipart ETag (MD5 of the MD5s).
    const md5s = [0, 5 * MiB, 10 * MiB].map((o) => md5Hex(body.subarray(o, o + 5 * MiB)));
    assertEquals(result.etag, multipartEtag(md5s));
    assertEquals(parts.length, 3);
    for (const [i, p] of parts.entries()) {
      assertEquals(p.md5, null, `part ${p.partNumber} has no Content-MD5`);
      const start = (Number(p.partNumber) - 1) * 5 * MiB;
      assertEquals(p.crc32, await crc32Base64(body.subarray(start, start + 5 * MiB)), `part ${i}`);
    }
    const back = new Uint8Array(
      await new Response((await store.get("big.bin")).body).arrayBuffer(),
    );
    assertEquals(md5Hex(back), md5Hex(body));
    assertEquals(await uploadsLeft(), 0);
    // The default stays Content-MD5 per part.
    parts.length = 0;
    await store.put("md5.bin", data(6 * MiB));
    assertEquals(parts.length, 2);
    assert(parts.every((p) => p.md5 !== null && p.crc32 === null));
  });
});

Deno.test("S3Store partChecksum crc32: a part corrupted on the way fails the put, leaving nothing", async () => {
  await withProxiedFake(async ({ store, corruptPart, uploadsLeft }) => {
    await store.put("k", new TextEncoder().encode("previous"));
    corruptPart(2);
    const error = await assertRejects(() =>
      store.put("k", ReadableStream.from([data(11 * MiB)]), { partChecksum: "crc32" })
    );
    assertMatch(String(error), /BadDigest|CRC32/);
    assertEquals(await uploadsLeft(), 0, "the upload was aborted");
    const now = await store.get("k");
    assertEquals(await new Response(now.body).text(), "previous");
  });
});

/** A target whose answers the test controls, recording what it was sent. */
function target(answer: {
  part?: (
    n: number,
    body: Uint8Array,
    digest: PartDigest,
  ) => Promise<PartReceipt>;
  complete?: (crc32s: string[]) => Promise<PartReceipt>;
}): MultipartTarget & { aborted: number; created: string[] } {
  const t = {
    aborted: 0,
    created: [] as string[],
    create: (checksum: string) => {
      t.created.push(checksum);
      return Promise.resolve("u");
    },
    uploadPart: (_id: string, n: number, body: Uint8Array, digest: PartDigest) =>
      answer.part?.(n, body, digest) ??
        Promise.resolve({ etag: md5Hex(body), crc32: digest.crc32 }),
    complete: (_id: string, parts: readonly { etag: string; crc32?: string | undefined }[]) =>
      answer.complete?.(parts.map((p) => p.crc32!)) ??
        Promise.resolve({ etag: multipartEtag(parts.map((p) => p.etag)) }),
    abort: () => {
      t.aborted++;
      return Promise.resolve();
    },
  };
  return t;
}

Deno.test("uploadMultipart crc32: the composite checksum the server returns is checked", async () => {
  const body = data(10);
  const ok = target({
    complete: async (crcs) => ({ etag: "x-3", crc32: await compositeCrc32(crcs) }),
  });
  const result = await uploadMultipart(ok, bytesPartSource(body, 4), {
    uri: "s3://b/k",
    checksum: "crc32",
  });
  assertEquals(ok.created, ["crc32"]);
  assertEquals(result.parts, 3);
  assertEquals(result.partMd5s, undefined, "no part was MD5-hashed");
  const bad = target({
    complete: async (crcs) => ({ etag: "x-3", crc32: await compositeCrc32(crcs.reverse()) }),
  });
  await assertRejects(
    () => uploadMultipart(bad, bytesPartSource(body, 4), { uri: "s3://b/k", checksum: "crc32" }),
    IntegrityError,
    "checksum CRC32",
  );
  assertEquals(bad.aborted, 1);
});

Deno.test("uploadMultipart crc32: a part confirmed with another CRC32 fails the upload", async () => {
  const t = target({
    part: (n, body) =>
      Promise.resolve({ etag: md5Hex(body), crc32: n === 2 ? "AAAAAA==" : undefined }),
  });
  await assertRejects(
    () => uploadMultipart(t, bytesPartSource(data(10), 4), { uri: "s3://b/k", checksum: "crc32" }),
    IntegrityError,
    "part 2 was stored with CRC32 AAAAAA==",
  );
  assertEquals(t.aborted, 1);
});

Deno.test("uploadMultipart crc32: a part the server does not confirm is checked by its MD5", async () => {
  const body = data(10);
  // No echo, right ETags: accepted, each part MD5-hashed after all.
  const plain = target({ part: (_n, part) => Promise.resolve({ etag: md5Hex(part) }) });
  const result = await uploadMultipart(plain, bytesPartSource(body, 4), {
    uri: "s3://b/k",
    checksum: "crc32",
  });
  assertEquals(result.partMd5s?.length, 3);
  // No echo and an ETag that is not the part's MD5: refused.
  const wrong = target({ part: () => Promise.resolve({ etag: md5Hex("other") }) });
  await assertRejects(
    () => uploadMultipart(wrong, bytesPartSource(body, 4), { uri: "s3://b/k", checksum: "crc32" }),
    IntegrityError,
    "but its MD5 is",
  );
  assertEquals(wrong.aborted, 1);
});
