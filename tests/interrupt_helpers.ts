/**
 * What the tests of an interrupted upload (`vc mirror`, `vc serve` cut short
 * by a signal) look at afterwards: the multipart uploads left open in the
 * fake S3's bucket, and the last line the process printed.
 */
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import type { startFakeS3 } from "../src/testing/mod.ts";

type FakeS3 = Awaited<ReturnType<typeof startFakeS3>>;

/** The keys of the multipart uploads open in `bucket`. */
export async function openUploads(s3: FakeS3, bucket: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (open.Uploads ?? []).map((u) => u.Key ?? "");
  } finally {
    client.destroy();
  }
}

/** The last non-empty line of `text`. */
export function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}
