/**
 * A Ctrl-C (the signal of `add` / `update`) that cuts off the request
 * completing the multipart upload after the store committed it: the
 * version is published (create-only, it stays), though the client never
 * saw the answer. Before, `vc add` ended a bare "interrupted" with the
 * version left in the bucket and not pinned, while Ctrl-C during an upload
 * is documented to publish nothing. Now the stored object is looked at: one
 * holding this file is pinned, as one that landed just before the Ctrl-C is
 * (tests/versioned_interrupt_after_upload_test.ts).
 */
import { join } from "node:path";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals } from "./assert.ts";
import { openUploads } from "./interrupt_helpers.ts";
import { randomBytes, tempDir } from "./versioned_helpers.ts";

const PART = 1024;

Deno.test("add and update whose multipart completion was cut off by the signal after it committed pin that version", async () => {
  let stop = new AbortController();
  await using s3 = await startFakeS3({
    buckets: ["b"],
    minPartSize: 1,
    // Called once the completion is committed, before its answer is sent.
    onRequest: (e) => {
      if (e.op === "CompleteMultipartUpload" && e.status === 200) {
        stop.abort(new DOMException("interrupted", "AbortError"));
      }
    },
  });
  await using dir = await tempDir("vc_interrupt_completion_");
  const open = () =>
    Promise.resolve(
      new S3Store({
        bucket: "b",
        endpoint: s3.url,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        multipartThreshold: PART,
        partSize: PART,
        maxAttempts: 1,
      }),
    );
  const manifest = join(dir.path, "versioned_assets.json");
  await using vc = new VersionedCache({ manifest, bucket: "s3://b", openStore: open });
  const file = join(dir.path, "t.bin");
  const content = randomBytes(3 * PART + 7);
  await Deno.writeFile(file, content);
  assertEquals(await vc.add("/t.bin", file, { signal: stop.signal }), "1.0.0");
  assertEquals(JSON.parse(await Deno.readTextFile(manifest)), { "/t.bin": "1.0.0" });

  stop = new AbortController();
  content[0] = content[0]! ^ 0xff;
  await Deno.writeFile(file, content);
  const r = await vc.update("/t.bin", file, { patch: true }, { signal: stop.signal });
  assertEquals(r.to, "1.0.1");
  assertEquals(JSON.parse(await Deno.readTextFile(manifest)), { "/t.bin": "1.0.1" });
  assertEquals(
    new Uint8Array(await (await fetch(`${s3.url}/b/t.1.0.1.bin`)).arrayBuffer()),
    content,
  );
  assertEquals(await openUploads(s3, "b"), []);
});
