/**
 * Test helper: uploads parts of chosen sizes (uneven, empty) to the fake S3
 * server as one multipart object, as other tools' writers do.
 */
import { assert, assertEquals } from "./assert.ts";
import type { FakeS3 } from "../src/testing/mod.ts";

/**
 * Uploads `parts` to `s3://<bucket>/<key>` as one multipart object; returns
 * its ETag (unquoted). `headers` go with the upload's creation (metadata:
 * `x-amz-meta-*`).
 */
export async function multipartPut(
  s3: FakeS3,
  bucket: string,
  key: string,
  parts: Uint8Array<ArrayBuffer>[],
  headers: Record<string, string> = {},
): Promise<string> {
  const base = `${s3.url}/${bucket}/${key}`;
  const created = await (await fetch(`${base}?uploads`, { method: "POST", headers })).text();
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  assert(uploadId !== undefined, created);
  const etags: string[] = [];
  for (const [i, part] of parts.entries()) {
    const res = await fetch(`${base}?partNumber=${i + 1}&uploadId=${uploadId}`, {
      method: "PUT",
      body: part,
    });
    await res.body?.cancel();
    assertEquals(res.status, 200);
    etags.push(res.headers.get("etag")!);
  }
  const xml = `<CompleteMultipartUpload>${
    etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")
  }</CompleteMultipartUpload>`;
  const done = await fetch(`${base}?uploadId=${uploadId}`, { method: "POST", body: xml });
  const text = await done.text();
  assertEquals(done.status, 200, text);
  return /<ETag>"?([^<"]+)"?<\/ETag>/.exec(text.replaceAll("&quot;", '"'))?.[1] ?? "";
}
