/**
 * A wrong setting in the AWS config file was named with its file only
 * (`endpoint_url of AWS profile "default" in ~/.aws/config is "ftp://x"`):
 * in a file of many profiles, the line is what finds it. Messages and
 * `vc config` now give `FILE:LINE`.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { credentialHint, resolveS3Settings } from "../src/store/s3_config.ts";
import { caBundleSetting, readCaBundle } from "../src/store/ca_bundle.ts";

function withConfig(lines: string[], fn: (file: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "vc_aws_lines_" });
  try {
    Deno.writeTextFileSync(`${dir}/config`, lines.join("\n") + "\n");
    fn(`${dir}/config`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("aws config: a bad endpoint_url is named with its file and line", () => {
  withConfig([
    "[default]",
    "region = us-east-1",
    "",
    "[profile lab]",
    "region = eu-west-1",
    "endpoint_url = ftp://lab.example:21",
  ], (file) => {
    const env = (n: string) => ({ AWS_CONFIG_FILE: file, AWS_PROFILE: "lab" })[n];
    const e = assertThrows(() => resolveS3Settings({}, env));
    assertStringIncludes((e as Error).message, `${file}:6`);
  });
});

Deno.test("aws config: a services section's endpoint, the region and the addressing style name their lines", () => {
  withConfig([
    "[profile lab]",
    "services = minio",
    "region = eu-west-1",
    "s3 =",
    "  addressing_style = path",
    "[services minio]",
    "s3 =",
    "  endpoint_url = http://127.0.0.1:9000",
  ], (file) => {
    const env = (n: string) => ({ AWS_CONFIG_FILE: file, AWS_PROFILE: "lab" })[n];
    const s = resolveS3Settings({}, env);
    assertStringIncludes(s.endpointSource ?? "", `${file}:8`);
    assertStringIncludes(s.regionSource ?? "", `${file}:3`);
    assertStringIncludes(s.pathStyleSource ?? "", `${file}:5`);
  });
});

Deno.test("aws config: a missing ca_bundle is named with its line", () => {
  withConfig(["[default]", "region = us-east-1", "ca_bundle = /nonexistent/ca.pem"], (file) => {
    const env = (n: string) => ({ AWS_CONFIG_FILE: file, HOME: "/nonexistent" })[n];
    const setting = caBundleSetting(env);
    assertEquals(setting?.file, "/nonexistent/ca.pem");
    const e = assertThrows(() => readCaBundle(setting!));
    assertStringIncludes((e as Error).message, `${file}:3`);
  });
});

Deno.test("aws credentials: a partial key pair or a `key: value` line is named with its file and line", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc_aws_lines_" });
  try {
    const credentials = `${dir}/credentials`;
    const env = (n: string) =>
      ({ AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: `${dir}/none` })[n];
    // The SDK's chain said only "Could not load credentials from any
    // providers"; the aws CLI says "Partial credentials found".
    Deno.writeTextFileSync(credentials, "[other]\nx = 1\n\n[default]\naws_access_key_id = AK\n");
    assertStringIncludes(credentialHint(env), `${credentials}:5`);
    assertStringIncludes(credentialHint(env), "no aws_secret_access_key");
    // botocore reads `key: value`, the JS SDK does not.
    Deno.writeTextFileSync(
      credentials,
      "[default]\naws_access_key_id: AK\naws_secret_access_key: s\n",
    );
    assertStringIncludes(credentialHint(env), `${credentials}:2`);
    assertStringIncludes(credentialHint(env), "colon");
    // Complete keys: nothing to say.
    Deno.writeTextFileSync(
      credentials,
      "[default]\naws_access_key_id = AK\naws_secret_access_key = s\n",
    );
    assertEquals(credentialHint(env), "");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("aws config: a source_profile loop names the profiles in it and where it closes", () => {
  withConfig([
    "[profile a]",
    "role_arn = arn:aws:iam::123456789012:role/r",
    "source_profile = b",
    "[profile b]",
    "role_arn = arn:aws:iam::123456789012:role/r",
    "source_profile = a",
    "[profile self]",
    "role_arn = arn:aws:iam::123456789012:role/r",
    "source_profile = self",
    "aws_access_key_id = AK",
    "aws_secret_access_key = s",
  ], (file) => {
    const env = (profile: string) => (n: string) =>
      ({
        AWS_CONFIG_FILE: file,
        AWS_SHARED_CREDENTIALS_FILE: `${file}.none`,
        AWS_PROFILE: profile,
      })[
        n
      ];
    // The SDK's chain said only "Could not load credentials from any providers".
    const hint = credentialHint(env("a"));
    assertStringIncludes(hint, "a -> b -> a");
    assertStringIncludes(hint, `${file}:6`);
    // A profile that is its own source with its own keys is no loop (aws and the SDK agree).
    assertEquals(credentialHint(env("self")), "");
  });
});

Deno.test("aws credentials: vc config shows a region only in the credentials file, the one the SDK signs for", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc_aws_lines_" });
  try {
    const credentials = `${dir}/credentials`;
    Deno.writeTextFileSync(
      credentials,
      "[lab]\nregion = eu-west-3\naws_access_key_id = AK\naws_secret_access_key = s\n",
    );
    const env = (config: string) => (n: string) =>
      ({ AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config, AWS_PROFILE: "lab" })[
        n
      ];
    // The SDK signed for eu-west-3, but `vc config` showed us-east-1 ("default").
    const none = resolveS3Settings({}, env(`${dir}/none`));
    assertEquals(none.regionShown, "eu-west-3");
    assertStringIncludes(none.regionSource, `${credentials}:2`);
    // The credentials file's region comes first: the SDK's client signs for
    // it (its region loader prefers that file), as the aws CLI does.
    Deno.writeTextFileSync(`${dir}/config`, "[profile lab]\nregion = eu-west-1\n");
    assertEquals(resolveS3Settings({}, env(`${dir}/config`)).regionShown, "eu-west-3");
    Deno.writeTextFileSync(`${dir}/config`, "[profile lab]\nendpoint_url = http://127.0.0.1:9\n");
    const both = resolveS3Settings({}, env(`${dir}/config`));
    assertEquals([both.regionShown, both.endpoint], ["eu-west-3", "http://127.0.0.1:9"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("AWS_CONFIG_FILE naming no file: the missing-profile message says the file does not exist", () => {
  const env = (n: string) =>
    ({
      AWS_PROFILE: "p",
      AWS_CONFIG_FILE: "/nonexistent/vc/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/vc/credentials",
    })[n];
  const hint = credentialHint(env);
  assertStringIncludes(hint, "/nonexistent/vc/config (AWS_CONFIG_FILE) does not exist");
  assertStringIncludes(
    hint,
    "/nonexistent/vc/credentials (AWS_SHARED_CREDENTIALS_FILE) does not exist",
  );
});
