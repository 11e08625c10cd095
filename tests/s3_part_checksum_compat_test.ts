/**
 * CRC32 part checksums against a real third-party S3 (moto, in `deno task
 * test:compat`): a streamed multipart put with `partChecksum: "crc32"` is
 * accepted, reads back byte for byte, keeps its multipart ETag, and the
 * server records the composite CRC32 of the parts we computed.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { S3Store } from "../src/store/s3.ts";
import { compositeCrc32, crc32Base64 } from "../src/store/crc32.ts";
import { md5Hex, multipartEtag } from "../src/hash.ts";
import { assertEquals } from "./assert.ts";

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
const MiB = 1024 * 1024;

Deno.test({
  name: "compat (moto): a multipart put with CRC32 part checksums is accepted and recorded",
  ignore: endpoint === undefined, // set by scripts/compat.sh
  fn: async () => {
    const bucket = `vc-crc-${crypto.randomUUID().slice(0, 8)}`;
    const credentials = { accessKeyId: "test", secretAccessKey: "test" };
    const client = new S3Client({
      endpoint: endpoint!,
      region: "us-east-1",
      forcePathStyle: true,
      credentials,
    });
    const store = new S3Store({
      bucket,
      endpoint: endpoint!,
      region: "us-east-1",
      forcePathStyle: true,
      credentials,
      multipartThreshold: 5 * MiB,
      partSize: 5 * MiB,
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      const body = new Uint8Array(11 * MiB + 3).map((_, i) => (i * 31) & 0xff);
      const { etag } = await store.put("big.bin", ReadableStream.from([body]), {
        partChecksum: "crc32",
      });
      const parts = [0, 5 * MiB, 10 * MiB].map((o) => body.subarray(o, o + 5 * MiB));
      assertEquals(etag, multipartEtag(parts.map((p) => md5Hex(p))));
      const back = new Uint8Array(
        await new Response((await store.get("big.bin")).body).arrayBuffer(),
      );
      assertEquals(md5Hex(back), md5Hex(body));
      const head = await client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: "big.bin", ChecksumMode: "ENABLED" }),
      );
      const crcs = await Promise.all(parts.map((p) => crc32Base64(p)));
      // moto's HEAD leaves out the `-<parts>` suffix of a composite checksum.
      assertEquals(
        head.ChecksumCRC32?.replace(/-\d+$/, ""),
        (await compositeCrc32(crcs)).replace(/-3$/, ""),
      );
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      assertEquals(uploads.Uploads ?? [], []);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "big.bin" }));
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } finally {
      await store.close();
      client.destroy();
    }
  },
});
