/**
 * Credentials rewritten in the shared credentials file while vc runs (a
 * key rotated, or the session token that saml2aws, gimme-aws-creds or a
 * cron job writes there renewed): a long-running `vc serve` or `vc mirror
 * --watch` kept signing with what it read at start. When S3 refused those
 * as expired it asked the AWS SDK's chain for new ones, but the SDK hands
 * back the file's content as first read (it caches the file for the
 * process), so every request failed until vc was restarted; a rotated key
 * (`InvalidAccessKeyId`) was not even asked again. Now the chain reads the
 * files again when asked to refresh, and a refused key is refreshed as an
 * expired token is.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { credentialsText, onlyCredentialsFileEnv, signedKey } from "./aws_shared_files.ts";
import { S3Store } from "../src/store/s3.ts";

const data = new TextEncoder().encode("payload");

for (
  const [name, refused] of [
    ["a renewed session token (ExpiredToken)", {
      rotate: credentialsText("key1", "tok2"),
      refuse: (req: Request) =>
        req.headers.get("x-amz-security-token") === "tok1"
          ? { status: 400, code: "ExpiredToken" }
          : undefined,
    }],
    ["a rotated key (InvalidAccessKeyId)", {
      rotate: credentialsText("key2", "tok1"),
      refuse: (req: Request) =>
        signedKey(req) === "key1" ? { status: 403, code: "InvalidAccessKeyId" } : undefined,
    }],
  ] as const
) {
  Deno.test(`s3: ${name} rewritten in the credentials file is read again`, async () => {
    let rotated = false;
    await using p = await startS3Proxy(async (req, forward) => {
      const no = rotated ? refused.refuse(req) : undefined;
      if (no === undefined) return forward();
      await req.body?.cancel();
      const body = req.method === "HEAD" ? null : errorXml(no.code, "refused");
      return new Response(body, {
        status: no.status,
        headers: { "content-type": "application/xml" },
      });
    });
    await p.direct.put("a.txt", data);
    const dir = await Deno.makeTempDir({ prefix: "vc_rotated_credentials_" });
    try {
      const file = join(dir, "credentials");
      await Deno.writeTextFile(file, credentialsText("key1", "tok1"));
      await withProcessEnv(onlyCredentialsFileEnv(dir, file), async () => {
        await using store = new S3Store({ bucket: "b", endpoint: p.endpoint, region: "us-east-1" });
        const read = async () => await new Response((await store.get("a.txt")).body).text();
        assertEquals(await read(), "payload");
        // Rotated: the old credentials are refused from now on.
        await Deno.writeTextFile(file, refused.rotate);
        rotated = true;
        assertEquals(await read(), "payload", "signed with the file's new credentials");
        assertEquals((await store.head("a.txt"))?.size, data.length);
        // The SDK's own requests (a batch delete) sign with them too.
        await store.delete(["a.txt", "b.txt"]);
        assertEquals(await p.direct.head("a.txt"), undefined);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
