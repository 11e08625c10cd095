/**
 * Where the aws CLI sends a profile's requests, vc must too:
 *
 * - an `endpoint_url` (or `region`, `ignore_configured_endpoint_urls`) in
 *   the profile's section of the credentials file: botocore merges both
 *   files' sections of a profile and the AWS SDK reads every profile setting
 *   from both, so `aws s3 ls` (and the SDK) went to that endpoint while vc
 *   took only the region from there and sent its requests to AWS;
 * - `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false` decides over a profile's
 *   `ignore_configured_endpoint_urls = true` (the variable comes first in
 *   the aws CLI), where vc ignored the endpoint anyway;
 * - `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=1`: the aws CLI reads it as false
 *   (only `true` is true), the AWS SDK refuses it; vc took it for true and
 *   went to AWS. It is refused now, naming what the variable takes.
 */
import { join } from "node:path";
import { resolveS3Endpoint, resolveS3Settings } from "../src/store/s3_config.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

function withFiles(
  config: string,
  credentials: string,
  fn: (env: (extra: Record<string, string>) => (name: string) => string | undefined) => void,
) {
  const dir = Deno.makeTempDirSync({ prefix: "vc-aws-parity-" });
  try {
    Deno.writeTextFileSync(join(dir, "config"), config);
    Deno.writeTextFileSync(join(dir, "credentials"), credentials);
    const base = {
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    };
    fn((extra) => (name) => ({ ...base, ...extra } as Record<string, string>)[name]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("aws parity: a profile's endpoint_url in the credentials file is its endpoint", () => {
  withFiles(
    "[profile both]\nregion = eu-west-1\n",
    "[default]\nendpoint_url = http://creds.example:9000\n" +
      "[both]\naws_access_key_id = a\naws_secret_access_key = b\nendpoint_url = http://both.example\n",
    (env) => {
      const chosen = resolveS3Endpoint({}, env({}));
      assertEquals(chosen?.endpoint, "http://creds.example:9000");
      assertStringIncludes(chosen?.source ?? "", "credentials:2");
      // A profile in both files: the config file's settings, the credentials
      // file's where the config file has none.
      const both = resolveS3Settings({}, env({ AWS_PROFILE: "both" }));
      assertEquals(both.endpoint, "http://both.example");
      assertEquals(both.regionShown, "eu-west-1");
      assertStringIncludes(both.endpointSource ?? "", "credentials:6");
    },
  );
  withFiles(
    "[profile both]\nendpoint_url = http://config.example\n",
    "[both]\nendpoint_url = http://creds.example\nignore_configured_endpoint_urls = true\n",
    (env) => {
      assertEquals(resolveS3Endpoint({}, env({ AWS_PROFILE: "both" })), undefined);
    },
  );
});

Deno.test("aws parity: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false overrides the profile's true", () => {
  withFiles(
    "[default]\nendpoint_url = http://profile.example\nignore_configured_endpoint_urls = true\n",
    "",
    (env) => {
      assertEquals(resolveS3Endpoint({}, env({})), undefined);
      const off = { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false" };
      assertEquals(resolveS3Endpoint({}, env(off))?.endpoint, "http://profile.example");
      assertEquals(
        resolveS3Endpoint({}, env({ ...off, AWS_ENDPOINT_URL: "http://env.example" }))?.endpoint,
        "http://env.example",
      );
      // `1` is no `true` for the aws CLI (it goes to the endpoint): refused.
      for (const value of ["1", "0"]) {
        const error = assertThrows(
          () =>
            resolveS3Endpoint(
              {},
              env({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: value, AWS_ENDPOINT_URL: "http://e.x" }),
            ),
          InvalidInputError,
        );
        assertStringIncludes(error.message, "expected true or false");
      }
    },
  );
});

Deno.test("aws parity: vc cache get goes to the endpoint_url of the credentials file, as aws does", async () => {
  await using fake = await startFakeS3({ buckets: ["bkt"] });
  await fake.putObject("bkt", "k.txt", "hello\n");
  await withWorkspace(async (dir, vc) => {
    const credentials = join(dir, "aws_credentials");
    await Deno.writeTextFile(
      credentials,
      `[default]\naws_access_key_id = test\naws_secret_access_key = test\nendpoint_url = ${fake.url}\n`,
    );
    const env = {
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      VC_REQUEST_TIMEOUT: "5",
    };
    const run = await vc(["cache", "get", "s3://bkt/k.txt"], env);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(await Deno.readTextFile(run.stdout.trim()), "hello\n");
    const config = await vc(["config"], env);
    assertStringIncludes(config.stdout, `${credentials}:4`);
  });
});
