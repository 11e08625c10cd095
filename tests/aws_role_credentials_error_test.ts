/**
 * A `role_arn` profile whose STS AssumeRole gets an answer that is no AWS
 * error: the SDK sends it to the configured `endpoint_url` too, and an
 * S3-only server there answers a bare 404. vc said only
 * `no usable AWS credentials from AWS profile "r" (AWS_PROFILE): Unknown`;
 * the message now gives the HTTP status and where STS requests go.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

Deno.test("role_arn profile: a bare 404 from STS is named with its status, not 'Unknown'", async () => {
  const requests: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      requests.push(req.method);
      return new Response(null, { status: 404 });
    },
  );
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  await withWorkspace(async (dir, vc) => {
    const config = join(dir, "aws_config");
    const credentials = join(dir, "aws_credentials");
    await Deno.writeTextFile(
      config,
      [
        "[profile src]",
        "region = us-east-1",
        "[profile r]",
        "region = us-east-1",
        "role_arn = arn:aws:iam::123456789012:role/x",
        "source_profile = src",
        `endpoint_url = ${endpoint}`,
        "",
      ].join("\n"),
    );
    await Deno.writeTextFile(
      credentials,
      "[src]\naws_access_key_id = AKSRC\naws_secret_access_key = s\n",
    );
    const run = await vc(["cache", "get", "s3://some-bucket/k.txt"], {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_PROFILE: "r",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    assertEquals(run.code, 1, run.stderr);
    assert(requests.includes("POST"), `STS's AssumeRole reached the endpoint: ${requests}`);
    assertStringIncludes(run.stderr, 'no usable AWS credentials from AWS profile "r"');
    assertStringIncludes(run.stderr, "HTTP 404");
    assertStringIncludes(run.stderr, "AWS_ENDPOINT_URL_STS");
  });
});
