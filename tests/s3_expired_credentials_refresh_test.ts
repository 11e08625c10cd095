/**
 * Temporary credentials that expire mid-run (a `credential_process`, SSO,
 * instance or container credentials): S3 refuses them with `ExpiredToken`
 * (a HEAD with a bare 400, having no body). vc meant to fetch new ones and
 * try once more, but asked the SDK's chain without `forceRefresh`, so the
 * chain handed back the same cached, expired ones (its process was never
 * run again), and the SDK's own requests (CompleteMultipartUpload at the end
 * of a long upload, copies, batch deletes) did not retry at all. Every
 * request now gets new credentials from the chain and succeeds; a HEAD's
 * bare 400 that persists says what it most often means.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { S3Store } from "../src/store/s3.ts";
import { StoreError } from "../src/errors.ts";

/** A profile whose credential_process hands out session tokens tok1, tok2, ... (no expiration). */
async function withRotatingProfile(fn: (runs: () => Promise<number>) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "vc_expired_token_" });
  try {
    const counter = join(dir, "runs");
    await Deno.writeTextFile(counter, "0");
    const script = join(dir, "credentials.sh");
    await Deno.writeTextFile(
      script,
      `#!/bin/sh\nn=$(($(cat '${counter}') + 1)); echo $n > '${counter}'\n` +
        `echo '{"Version": 1, "AccessKeyId": "test", "SecretAccessKey": "test", "SessionToken": "tok'$n'"}'\n`,
    );
    await Deno.chmod(script, 0o755);
    const config = join(dir, "config");
    await Deno.writeTextFile(config, `[profile rotating]\ncredential_process = ${script}\n`);
    await withProcessEnv({
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "no_credentials"),
      AWS_PROFILE: "rotating",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_EC2_METADATA_DISABLED: "true",
    }, () => fn(async () => Number(await Deno.readTextFile(counter))));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A proxy that refuses the first session token as S3 does an expired one. */
function refuseFirstToken(req: Request, forward: () => Promise<Response>) {
  if (req.headers.get("x-amz-security-token") !== "tok1") return forward();
  return req.body?.cancel().then(() => expired(req)) ?? expired(req);
}

function expired(req: Request): Response {
  // A HEAD's answer has no body: S3 says only 400.
  const body = req.method === "HEAD"
    ? null
    : errorXml("ExpiredToken", "The provided token has expired.");
  return new Response(body, { status: 400, headers: { "content-type": "application/xml" } });
}

const data = new Uint8Array(3000).map((_, i) => i % 251);

for (
  const [name, run] of Object.entries({
    "GET": async (s: S3Store) => {
      const got = await s.get("a.bin");
      assertEquals(new Uint8Array(await new Response(got?.body).arrayBuffer()), data);
    },
    "HEAD (a bare 400)": async (s: S3Store) => assertEquals((await s.head("a.bin"))?.size, 3000),
    "a multipart upload (the SDK's CreateMultipartUpload)": async (s: S3Store) => {
      await s.put("m.bin", data);
      assertEquals(
        new Uint8Array(await new Response((await s.get("m.bin"))?.body).arrayBuffer()),
        data,
      );
    },
    "a copy": async (s: S3Store) => {
      await s.copy("a.bin", "c.bin");
      assertEquals((await s.head("c.bin"))?.size, 3000);
    },
    "a batch delete (the SDK's DeleteObjects)": async (s: S3Store) => {
      await s.delete(["a.bin", "gone.bin"]);
      assertEquals(await s.head("a.bin"), undefined);
    },
  })
) {
  Deno.test(`expired credentials: ${name} gets new ones from the chain and succeeds`, async () => {
    await using p = await startS3Proxy(refuseFirstToken, { fake: { minPartSize: 1024 } });
    await p.direct.put("a.bin", data);
    await withRotatingProfile(async (runs) => {
      const store = new S3Store({
        bucket: "b",
        endpoint: p.endpoint,
        region: "us-east-1",
        multipartThreshold: 2048,
        partSize: 1024,
      });
      try {
        await run(store);
      } finally {
        await store.close();
      }
      assertEquals(await runs(), 2, "the credential_process ran again");
    });
  });
}

Deno.test("expired credentials: a HEAD refused with a bare 400 for good says what it most often means", async () => {
  await using p = await startS3Proxy(
    (req, forward) => req.method === "HEAD" ? new Response(null, { status: 400 }) : forward(),
  );
  const e = await assertRejects(() => p.store.head("a.bin"), StoreError);
  assertStringIncludes(e.message, "HEAD s3://b/a.bin failed: 400");
  assertStringIncludes(
    e.message,
    "a bare 400 when its credentials have expired: renew the temporary credentials",
  );
  assert(!e.message.includes("\n    at "), e.message);
});
