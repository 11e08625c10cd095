/**
 * A CI job whose AWS credentials S3 refuses outright (an access key rotated
 * away: `InvalidAccessKeyId`; a session token expired or revoked:
 * `ExpiredToken`, `InvalidToken`) sent a GET for every item of a manifest of
 * thousands, each refused alike after vc asked its credential source again,
 * and logged the same long refusal 20 times. Such a refusal is the same for
 * every key of the store, as missing credentials are: after the first item,
 * the store's other items fail at once with a short reference to it.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { errorXml } from "./s3_proxy.ts";

for (const code of ["InvalidAccessKeyId", "ExpiredToken"]) {
  Deno.test(`vc prefill: credentials S3 refuses (${code}) are asked about once`, async () => {
    let requests = 0;
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      () => {
        requests++;
        return new Response(
          errorXml(code, "refused"),
          {
            status: code === "ExpiredToken" ? 400 : 403,
            headers: { "content-type": "application/xml" },
          },
        );
      },
    );
    try {
      await withWorkspace(async (dir, vc) => {
        const list = `${dir}/list.txt`;
        await Deno.writeTextFile(
          list,
          Array.from({ length: 200 }, (_, i) => `s3://bkt/k${i}.txt\n`).join(""),
        );
        const run = await vc(["prefill", "--list", list, "--json", "--concurrency", "4"], {
          AWS_ENDPOINT_URL: `http://127.0.0.1:${server.addr.port}`,
          AWS_ACCESS_KEY_ID: "AKIAROTATEDAWAY",
          AWS_SECRET_ACCESS_KEY: "secret",
          AWS_SESSION_TOKEN: "token",
          AWS_REGION: "us-east-1",
          AWS_MAX_ATTEMPTS: "1",
        });
        assertEquals(run.code, 1, run.stderr);
        const failed: Array<{ error: string; errorName: string }> = JSON.parse(run.stdout).failed;
        assertEquals(failed.length, 200);
        assertEquals([...new Set(failed.map((f) => f.errorName))], ["AccessDeniedError"]);
        const long = failed.filter((f) => f.error.includes(code));
        assert(long.length <= 4, `the refusal said ${long.length} times`);
        for (const f of failed.filter((f) => !f.error.includes(code))) {
          assertStringIncludes(f.error, "no usable AWS credentials for s3://bkt");
        }
        // The items in flight when the first was refused, each asked again once.
        assert(requests <= 16, `${requests} requests for 200 items`);
      });
    } finally {
      ac.abort();
      await server.finished;
    }
  });
}
