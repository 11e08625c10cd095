// S3Store.copy of a source larger than one CopyObject may take (S3: 5 GiB):
// server-side part copies. The fake S3 is given a small object limit, so a
// few MiB stand for the real sizes.
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { PreconditionFailedError, StoreError } from "../src/errors.ts";
import { S3Store, type S3StoreOptions } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";
import type { RequestLogEntry } from "../src/testing/fake_s3/types.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
// The fake refuses any single PUT, part or CopyObject over this.
const LIMIT = 1 * MiB;

function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

async function withServer(
  fn: (store: (o?: Partial<S3StoreOptions>) => S3Store, log: RequestLogEntry[]) => Promise<void>,
  onRequest?: (entry: RequestLogEntry) => void,
): Promise<void> {
  const log: RequestLogEntry[] = [];
  await using server = await startFakeS3({
    buckets: ["b"],
    maxObjectSize: LIMIT,
    minPartSize: 64 * KiB,
    onRequest: (entry) => {
      log.push(entry);
      onRequest?.(entry);
    },
  });
  const stores: S3Store[] = [];
  try {
    await fn((o = {}) => {
      const s = new S3Store({
        bucket: "b",
        endpoint: server.url,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        multipartThreshold: 512 * KiB,
        partSize: 512 * KiB,
        ...o,
      });
      stores.push(s);
      return s;
    }, log);
  } finally {
    for (const s of stores) await s.close();
  }
}

Deno.test("S3Store.copy: a source over the single-copy limit is copied in server-side parts, metadata kept", async () => {
  await withServer(async (store, log) => {
    const source = bytes(3 * MiB + 123, 7);
    const writer = store();
    await writer.put("src.bin", source, {
      contentType: "text/csv",
      metadata: { owner: "ci" },
    });
    // One CopyObject of it is refused, as S3 refuses one over 5 GiB.
    await assertRejects(() => writer.copy("src.bin", "one-request.bin"), StoreError);

    log.length = 0;
    const copier = store({ multipartCopyThreshold: LIMIT, copyPartSize: 400 * KiB });
    const { etag } = await copier.copy("src.bin", "dst.bin");
    assert(etag.endsWith("-8"), `a multipart ETag of 8 parts, got ${etag}`);
    const got = await copier.get("dst.bin");
    assertEquals(new Uint8Array(await new Response(got.body).arrayBuffer()), source);
    const info = await copier.head("dst.bin");
    assertEquals(info?.contentType, "text/csv");
    assertEquals(info?.metadata?.owner, "ci");
    const ops = log.map((e) => e.op);
    assertEquals(ops.filter((op) => op === "UploadPartCopy").length, 8);
    assert(!ops.includes("CopyObject"), `no single copy: ${ops.join(" ")}`);
    assertEquals(await Array.fromAsync(copier.pendingUploads!("")), []);
  });
});

Deno.test("S3Store.copy: a source replaced during a copy in parts fails it, and nothing is left", async () => {
  let replace: (() => void) | undefined;
  await withServer(async (store) => {
    const writer = store();
    await writer.put("src.bin", bytes(3 * MiB, 1));
    // After the first part is copied, the source gets new content.
    let replaced: Promise<unknown> | undefined;
    replace = () => replaced ??= writer.put("src.bin", bytes(3 * MiB, 2));
    const copier = store({
      multipartCopyThreshold: LIMIT,
      copyPartSize: 256 * KiB,
      concurrency: 1,
    });
    const error = await assertRejects(
      () => copier.copy("src.bin", "dst.bin"),
      PreconditionFailedError,
    );
    assert(/changed during the copy/.test(error.message), error.message);
    await replaced;
    assertEquals(await copier.head("dst.bin"), undefined);
    assertEquals(await Array.fromAsync(copier.pendingUploads!("")), []);
  }, (entry) => {
    if (entry.op === "UploadPartCopy") replace?.();
  });
});

Deno.test("S3Store.copy: create-only copies in parts refuse a taken destination before copying", async () => {
  await withServer(async (store, log) => {
    const writer = store();
    await writer.put("src.bin", bytes(2 * MiB, 3));
    await writer.put("dst.bin", new TextEncoder().encode("taken"));
    log.length = 0;
    const copier = store({ multipartCopyThreshold: LIMIT });
    await assertRejects(
      () => copier.copy("src.bin", "dst.bin", { ifNoneMatch: "*" }),
      PreconditionFailedError,
    );
    assert(!log.some((e) => e.op === "CreateMultipartUpload" || e.op === "UploadPartCopy"));
    const got = await copier.get("dst.bin");
    assertEquals(await new Response(got.body).text(), "taken");
  });
});
