/**
 * vc's fake S3 and a third-party S3 (moto, `deno task test:compat`) page one
 * bucket alike through ListObjectsV2 (what the aws CLI's `s3 ls` and
 * `s3 sync` send): with and without a delimiter, common prefixes and keys
 * interleaved in UTF-8 byte order on pages of 1, 2, 3 and 1000, keys ending
 * in `/`, holding `//`, that are a prefix of others, and characters around
 * U+E000–U+FFFF and beyond U+FFFF.
 *
 * Needs VC_TEST_S3_ENDPOINT (moto); ignored without it. (moto's ListObjects
 * v1 repeats every common prefix on each page and hands out ETags as
 * NextMarker, so v1 is not compared.)
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT") || undefined;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

const KEYS = [
  "a",
  "a/",
  "a/b",
  "a/c/d",
  "a/c/e",
  "a!b",
  "a.txt",
  "b//c",
  "b/",
  "c",
  "d/x/y",
  "d/z",
  "\u{1F600}/x",
  "\uE000/y",
  "\uFFFD",
  "e/f/",
  "e/f/g",
];

/** Every page of every listing asked, as text. */
async function pages(url: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
  });
  const bucket = `vc-delim-${crypto.randomUUID().slice(0, 12)}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    try {
      for (const Key of KEYS) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: "x" }));
      }
      const out: string[] = [];
      const asked = [["", "/"], ["a", "/"], ["a/", "/"], ["b/", "/"], ["e/", "/"], ["", "c"], [
        "",
        "",
      ]];
      for (const [prefix, delimiter] of asked) {
        for (const max of [1, 2, 3, 1000]) {
          let token: string | undefined;
          const seen: string[] = [];
          for (let page = 0; page < 50; page++) {
            const r = await client.send(
              new ListObjectsV2Command({
                Bucket: bucket,
                Prefix: prefix,
                ...(delimiter ? { Delimiter: delimiter } : {}),
                MaxKeys: max,
                ...(token === undefined ? {} : { ContinuationToken: token }),
              }),
            );
            const keys = (r.Contents ?? []).map((c) => c.Key);
            const common = (r.CommonPrefixes ?? []).map((c) => c.Prefix);
            seen.push(JSON.stringify([keys, common, r.KeyCount, r.IsTruncated === true]));
            if (!r.IsTruncated) break;
            token = r.NextContinuationToken;
          }
          out.push(
            `prefix ${JSON.stringify(prefix)} delimiter ${JSON.stringify(delimiter)} ` +
              `max-keys ${max}: ${seen.join(" ")}`,
          );
        }
      }
      return out;
    } finally {
      await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: KEYS.map((Key) => ({ Key })) },
        }),
      );
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
  } finally {
    client.destroy();
  }
}

Deno.test({
  name: "fake S3 and moto page ListObjectsV2 alike: delimiters, common prefixes, odd keys",
  ignore: endpoint === undefined,
  fn: async () => {
    await using fake = await startFakeS3();
    const ours = await pages(fake.url);
    const theirs = await pages(endpoint!);
    assertEquals(ours.length, theirs.length);
    for (let i = 0; i < ours.length; i++) assertEquals(ours[i], theirs[i]);
  },
});
