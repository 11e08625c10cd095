/**
 * Issue 7.9 against a real third-party S3 (moto, in `deno task test:compat`):
 * objects uploaded by boto3 with a uniform 6,000,000-byte part size and with
 * uneven 5/7/3 MiB parts, or ending in an empty part, are cached and verified;
 * a same-size change of the cached copy is still caught by `cache verify`.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { md5Hex } from "../src/hash.ts";
import { join } from "node:path";

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");

const UPLOAD = `
import boto3, hashlib, sys, json
endpoint, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
s3.create_bucket(Bucket=bucket)
out = {}
for key, sizes in [("uniform.bin", [6000000, 6000000, 1000000]),
                   ("uneven.bin", [5 << 20, 7 << 20, 3 << 20]),
                   ("empty-last.bin", [5 << 20, 5 << 20, 0])]:
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts, whole = [], hashlib.md5()
    for n, size in enumerate(sizes, 1):
        body = bytes([(n * 31 + i) % 251 for i in range(251)]) * (size // 251) + b"x" * (size % 251)
        whole.update(body)
        e = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=n, Body=body)["ETag"]
        parts.append({"PartNumber": n, "ETag": e})
    r = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up,
                                     MultipartUpload={"Parts": parts})
    out[key] = {"md5": whole.hexdigest(), "etag": r["ETag"].strip('"')}
print(json.dumps(out))
`;

Deno.test({
  name: "compat (moto): boto3 multipart objects with non-standard part sizes verify",
  ignore: endpoint === undefined, // set by scripts/compat.sh
  fn: async () => {
    const bucket = `vc-parts-${crypto.randomUUID().slice(0, 8)}`;
    const py = await new Deno.Command("python3", {
      args: ["-c", UPLOAD, endpoint!, bucket],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(py.stdout);
    assertEquals(py.code, 0, new TextDecoder().decode(py.stderr));
    const objects = JSON.parse(text) as Record<string, { md5: string; etag: string }>;
    const dir = await Deno.makeTempDir({ prefix: "vc-compat-parts-" });
    try {
      await using cache = new AssetCache({
        cacheDir: join(dir, "cache"),
        configPath: false,
        env: {},
        warn: () => {},
        store: {
          s3: {
            endpoint: endpoint!,
            region: "us-east-1",
            forcePathStyle: true,
            credentials: { accessKeyId: "test", secretAccessKey: "test" },
          },
        },
      });
      for (const [key, { md5, etag }] of Object.entries(objects)) {
        assertEquals(etag.endsWith("-3"), true, etag);
        const path = await cache.cache(`s3://${bucket}/${key}`);
        assertEquals(md5Hex(await Deno.readFile(path)), md5, key);
      }
      assertEquals((await cache.verify()).ok, 3);
      const path = cache.localPath(`s3://${bucket}/uneven.bin`);
      const f = await Deno.open(path, { write: true });
      await f.write(new Uint8Array([0, 0, 0]));
      f.close();
      assertEquals((await cache.verify()).corrupt.map((e) => e.uri), [`s3://${bucket}/uneven.bin`]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
