/**
 * Keys written under `[profile lab]` in the shared credentials file, whose
 * headers take no `profile ` prefix (the config file's do): the aws CLI and
 * the AWS SDK read them as a profile named "profile lab", and vc said only
 * the SDK's "Could not load credentials from any providers". The message now
 * names the file, the line and the header to write.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { credentialHint } from "../src/store/s3_config.ts";
import { envLookup, writeSharedFiles } from "./aws_shared_files.ts";

Deno.test("credentials file: keys under [profile p] are named with the header to write", async () => {
  await withWorkspace(async (dir, vc) => {
    const { credentials, env } = await writeSharedFiles(dir, {
      config: "[profile lab]\nregion = us-east-1\n",
      credentials:
        "[other]\nx = 1\n[profile lab]\naws_access_key_id = AK\naws_secret_access_key = s\n",
      profile: "lab",
    });
    const run = await vc(["cache", "get", "s3://some-bucket/k.txt"], {
      ...env,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, "no usable AWS credentials");
    assertStringIncludes(run.stderr, `${credentials}:4`);
    assertStringIncludes(run.stderr, "write [lab]");
  });
});

Deno.test("credentials file: no header hint when [p] holds the keys, or for the config file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await writeSharedFiles(dir, {
      config: "[profile lab]\naws_access_key_id = AK\naws_secret_access_key = s\n",
      credentials: "[lab]\naws_access_key_id = AK\naws_secret_access_key = s\n" +
        "[profile lab]\naws_access_key_id = AK2\naws_secret_access_key = s\n",
    });
    const { credentials } = files;
    const env = (profile: string) => envLookup(files.env, profile);
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
    await Deno.remove(dir, { recursive: true });
  }
});
