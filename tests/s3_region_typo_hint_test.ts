/**
 * `AWS_REGION=us-east1` (GCP's spelling) sends vc's requests to
 * `s3.us-east1.amazonaws.com`, which does not resolve: the error said only
 * "cannot reach https://b.s3.us-east1.amazonaws.com: … dns error", leaving
 * the typo in the region to be found. It now names the region and the AWS
 * name it reads as. An endpoint of another server (any region name goes
 * there) and a failure other than a name lookup get no such hint.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { s3NetworkError } from "../src/store/s3_errors.ts";
import { OfflineError } from "../src/errors.ts";

const dns = (host: string) =>
  new TypeError(
    `error sending request for url (https://${host}/k): client error (Connect): dns error: ` +
      "failed to lookup address information: Name or service not known",
  );

Deno.test("s3 errors: a region that is not an AWS region name is named when AWS's host does not resolve", () => {
  for (
    const [region, said] of [
      ["us-east1", "did you mean us-east-1?"],
      ["us-east-1a", "did you mean us-east-1?"], // an availability zone
      ["us-east", "e.g. us-east-1"],
    ] as const
  ) {
    const host = `b.s3.${region}.amazonaws.com`;
    const e = s3NetworkError(dns(host), {
      operation: "GET",
      uri: "s3://b/k",
      bucket: "b",
      endpoint: `https://${host}`,
      region,
      credentialSource: "env",
    });
    assert(e instanceof OfflineError, String(e));
    assertStringIncludes(e.message, `cannot reach https://${host}`);
    assertStringIncludes(e.message, `the region "${region}" is not an AWS region name`);
    assert(e.message.endsWith(said), e.message);
  }
});

Deno.test("s3 errors: no region hint for a custom endpoint, a valid region or a refused connection", () => {
  const custom = s3NetworkError(dns("minio.internal"), {
    operation: "GET",
    uri: "s3://b/k",
    bucket: "b",
    endpoint: "https://minio.internal",
    endpointSource: "AWS_ENDPOINT_URL",
    region: "garage",
    credentialSource: "env",
  });
  assert(!custom.message.includes("region"), custom.message);
  const valid = s3NetworkError(dns("b.s3.eu-west-1.amazonaws.com"), {
    operation: "GET",
    uri: "s3://b/k",
    bucket: "b",
    endpoint: "https://b.s3.eu-west-1.amazonaws.com",
    region: "eu-west-1",
    credentialSource: "env",
  });
  assert(!valid.message.includes("not an AWS region"), valid.message);
  const refused = s3NetworkError(
    new TypeError("tcp connect error: Connection refused (os error 111)"),
    {
      operation: "GET",
      uri: "s3://b/k",
      bucket: "b",
      endpoint: "https://b.s3.us-east1.amazonaws.com",
      region: "us-east1",
      credentialSource: "env",
    },
  );
  assertEquals(refused.message.includes("not an AWS region"), false, refused.message);
});
