/**
 * A HEAD is the first request after the access key in the shared
 * credentials file was rotated (the old key deleted: S3 answers 403, and a
 * HEAD's answer has no body to say `InvalidAccessKeyId`). The store took it
 * for a key without `s3:GetObject` and did not ask the credentials' source
 * again, so a `vc mirror --watch` whose first request after a rotation was a
 * HEAD said "HEAD is refused in the store" naming the old key, and looked
 * every changed file up with a LIST for the rest of the watch. Now a HEAD's
 * bare 403 asks the source again, and is sent again only when it gives other
 * credentials: a key that may really not HEAD costs no second request.
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { credentialsText, onlyCredentialsFileEnv, signedKey } from "./aws_shared_files.ts";
import { S3Store } from "../src/store/s3.ts";
import { AccessDeniedError } from "../src/errors.ts";

const data = new TextEncoder().encode("payload");

async function withRotatingFile(
  body: (file: string, refuse: (keys: string[]) => void, heads: () => number) => Promise<void>,
): Promise<void> {
  let refused: string[] = [];
  let heads = 0;
  await using p = await startS3Proxy(async (req, forward) => {
    if (req.method === "HEAD") heads++;
    if (!refused.includes(signedKey(req) ?? "")) return forward();
    await req.body?.cancel();
    return new Response(null, { status: 403, headers: { "content-type": "application/xml" } });
  });
  await p.direct.put("a.txt", data);
  const dir = await Deno.makeTempDir({ prefix: "vc_head_rotated_key_" });
  try {
    const file = join(dir, "credentials");
    await Deno.writeTextFile(file, credentialsText("key1"));
    await withProcessEnv({
      ...onlyCredentialsFileEnv(dir, file),
      AWS_ENDPOINT_URL: p.endpoint,
    }, () => body(file, (keys) => refused = keys, () => heads));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("s3: a HEAD refused after the key in the credentials file was rotated asks for the new key", async () => {
  await withRotatingFile(async (file, refuse) => {
    await using store = new S3Store({ bucket: "b", region: "us-east-1" });
    assertEquals((await store.head("a.txt"))?.size, data.length);
    await Deno.writeTextFile(file, credentialsText("key2"));
    refuse(["key1"]);
    assertEquals((await store.head("a.txt"))?.size, data.length, "HEAD signed with key2");
  });
});

Deno.test("s3: a HEAD refused with credentials their source still gives is not sent again", async () => {
  await withRotatingFile(async (_file, refuse, heads) => {
    await using store = new S3Store({ bucket: "b", region: "us-east-1" });
    assertEquals((await store.head("a.txt"))?.size, data.length);
    refuse(["key1"]);
    const before = heads();
    await assertRejects(() => store.head("a.txt"), AccessDeniedError);
    assertEquals(heads() - before, 1, "one HEAD: the source gave the same key");
  });
});
