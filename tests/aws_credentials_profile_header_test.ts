/**
 * Keys written under `[profile lab]` in the shared credentials file, whose
 * headers take no `profile ` prefix (the config file's do): the aws CLI and
 * the AWS SDK read them as a profile named "profile lab", and vc said only
 * the SDK's "Could not load credentials from any providers". The message now
 * names the file, the line and the header to write.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { credentialHint } from "../src/store/s3_config.ts";

Deno.test("credentials file: keys under [profile p] are named with the header to write", async () => {
  await withWorkspace(async (dir, vc) => {
    const config = join(dir, "aws_config");
    const credentials = join(dir, "aws_credentials");
    await Deno.writeTextFile(config, "[profile lab]\nregion = us-east-1\n");
    await Deno.writeTextFile(
      credentials,
      "[other]\nx = 1\n[profile lab]\naws_access_key_id = AK\naws_secret_access_key = s\n",
    );
    const run = await vc(["cache", "get", "s3://some-bucket/k.txt"], {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_PROFILE: "lab",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, "no usable AWS credentials");
    assertStringIncludes(run.stderr, `${credentials}:4`);
    assertStringIncludes(run.stderr, "write [lab]");
  });
});

Deno.test("credentials file: no header hint when [p] holds the keys, or for the config file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const config = join(dir, "config");
    const credentials = join(dir, "credentials");
    const env = (profile: string) => (name: string) =>
      ({
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_PROFILE: profile,
      })[name];
    Deno.writeTextFileSync(
      config,
      "[profile lab]\naws_access_key_id = AK\naws_secret_access_key = s\n",
    );
    Deno.writeTextFileSync(
      credentials,
      "[lab]\naws_access_key_id = AK\naws_secret_access_key = s\n" +
        "[profile lab]\naws_access_key_id = AK2\naws_secret_access_key = s\n",
    );
    assertEquals(credentialHint(env("lab")), "");
    // `[profile default]` there is no default profile either.
    Deno.writeTextFileSync(
      credentials,
      "[profile default]\naws_access_key_id = AK\naws_secret_access_key = s\n",
    );
    assert(
      credentialHint(env("default")).includes("write [default]"),
      credentialHint(env("default")),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
