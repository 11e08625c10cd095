/**
 * Other tools' names for the AWS variables vc reads (`AWS_S3_ENDPOINT` of
 * Terraform's S3 backend, `AWS_ENDPOINT`, `AWS_ENDPOINT_URL_s3` in the wrong
 * case, boto3's `region_name` as `AWS_REGION_NAME`, `AWS_CREDENTIAL_FILE` of
 * the old AWS command line tools) were ignored without a word: `vc config`
 * showed `s3Endpoint AWS (by region)`, and every command went to AWS with a
 * MinIO key. `vc config` (and `vc prefill`) now warn of one, naming the
 * variable vc reads, unless that one (or another that sets the same thing)
 * is set too: then the other tool's variable is for that tool.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const CASES: [set: string, meant: string][] = [
  ["AWS_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3"],
  ["AWS_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"],
  ["AWS_ENDPOINT_URL_s3", "AWS_ENDPOINT_URL_S3"],
  ["AWS_ENDPOINT", "AWS_ENDPOINT_URL"],
  ["AWS_REGION_NAME", "AWS_REGION"],
  ["AWS_S3_REGION", "AWS_REGION"],
  ["AWS_PROFILE_NAME", "AWS_PROFILE"],
  ["AWS_CREDENTIAL_FILE", "AWS_SHARED_CREDENTIALS_FILE"],
  ["AWS_CREDENTIALS_FILE", "AWS_SHARED_CREDENTIALS_FILE"],
  ["AWS_CONFIG", "AWS_CONFIG_FILE"],
];

for (const [set, meant] of CASES) {
  Deno.test(`vc config with ${set} set warns that vc reads ${meant}`, async () => {
    await using ws = await CliWorkspace.create();
    const r = await ws.run(["config"], { [set]: "http://127.0.0.1:9000" });
    assertStringIncludes(r.stderr, `${set} is set, but vc reads no such variable`);
    assertStringIncludes(r.stderr, `did you mean ${meant}?`);
  });
}

Deno.test("vc config says nothing of another tool's endpoint variable when vc's own is set", async () => {
  await using ws = await CliWorkspace.create();
  for (const own of ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]) {
    const r = await ws.run(["config"], {
      AWS_S3_ENDPOINT: "http://127.0.0.1:9000",
      [own]: "http://127.0.0.1:9000",
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stderr, "");
  }
  const r = await ws.run(["config"], { AWS_REGION_NAME: "eu-west-1", AWS_REGION: "eu-west-1" });
  assertEquals(r.stderr, "");
});

Deno.test("vc prefill warns of AWS_S3_ENDPOINT too", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "{}");
  const r = await ws.run(["prefill"], { AWS_S3_ENDPOINT: "http://127.0.0.1:9000" });
  assertStringIncludes(
    r.stderr,
    "AWS_S3_ENDPOINT is set, but vc reads no such variable: did you mean AWS_ENDPOINT_URL_S3?",
  );
});
