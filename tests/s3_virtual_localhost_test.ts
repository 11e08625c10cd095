// `addressing_style = virtual` with an endpoint `http://localhost:PORT`: the
// requests go to `BUCKET.localhost`, as the aws CLI's do (botocore addresses
// only IP endpoints path-style; `aws s3 ls` fails there with "Could not
// connect to the endpoint URL: http://bkt.localhost:PORT/"). Where that name
// does not resolve, vc's error said only "failed to lookup address
// information"; it now says that virtual-hosted addressing made the name and
// how to get path-style addressing.
import assert from "node:assert/strict";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("S3Store virtual-hosted at localhost: an unresolvable BUCKET.localhost names the cure", async () => {
  await using s3 = await startFakeS3({ buckets: ["bkt"] });
  await s3.putObject("bkt", "a.txt", "hello");
  const endpoint = s3.url.replace("127.0.0.1", "localhost");
  await using store = new S3Store({
    bucket: "bkt",
    endpoint,
    region: "us-east-1",
    forcePathStyle: false,
    credentials,
    maxAttempts: 1,
  });
  let resolves = true;
  try {
    await Deno.resolveDns("bkt.localhost", "A");
  } catch {
    resolves = false;
  }
  try {
    const got = await store.get("a.txt");
    // A resolver that answers for *.localhost (systemd-resolved) reaches the fake S3.
    assert.ok(got !== undefined);
  } catch (error) {
    const message = (error as Error).message;
    if (resolves && !message.includes("lookup")) throw error;
    assert.match(message, /virtual-hosted addressing: the host bkt\.localhost does not resolve/);
    assert.match(message, /addressing_style = path/);
    assert.match(message, /VC_S3_PATH_STYLE=1/);
  }
  // Path-style at the same endpoint works.
  await using path = new S3Store({
    bucket: "bkt",
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
  });
  const got = await path.get("a.txt");
  const text = new TextDecoder().decode(got.bytes ?? await new Response(got.body).arrayBuffer());
  assert.equal(text, "hello");
});
