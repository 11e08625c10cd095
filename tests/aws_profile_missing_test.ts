/**
 * `AWS_PROFILE` naming a profile neither shared file holds (a typo, or the
 * wrong `AWS_CONFIG_FILE`): the aws CLI says "The config profile (p) could
 * not be found", but vc said only the SDK's "Could not load credentials from
 * any providers". The message now names the profile, the variable and the
 * two files looked in.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { credentialHint } from "../src/store/s3_config.ts";
import { envLookup, writeSharedFiles } from "./aws_shared_files.ts";

Deno.test("AWS_PROFILE naming no profile: the error says so, naming both files", async () => {
  await withWorkspace(async (dir, vc) => {
    const { config, credentials, env } = await writeSharedFiles(dir, {
      config: "[profile lab]\nregion = us-east-1\n",
      credentials: "[lab]\naws_access_key_id = AK\naws_secret_access_key = s\n",
      profile: "lba",
    });
    const run = await vc(["cache", "get", "s3://some-bucket/k.txt"], {
      ...env,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, "no usable AWS credentials");
    assertStringIncludes(run.stderr, 'AWS_PROFILE names the profile "lba", which does not exist');
    assertStringIncludes(run.stderr, `no [profile lba] in ${config}`);
    assertStringIncludes(run.stderr, `no [lba] in ${credentials}`);
  });
});

Deno.test("AWS_PROFILE: no missing-profile hint when either file holds it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await writeSharedFiles(dir, {
      config: "[profile inconfig]\nregion = us-east-1\n",
      credentials: "[increds]\naws_access_key_id = AK\naws_secret_access_key = s\n",
    });
    const { config } = files;
    const env = (profile: string) => envLookup(files.env, profile);
    assertEquals(credentialHint(env("inconfig")), "");
    assertEquals(credentialHint(env("increds")), "");
    assertEquals(credentialHint(env("default")), "");
    // `[increds]` in the config file is not a profile (the aws CLI ignores it too).
    await Deno.writeTextFile(config, "[other]\nregion = us-east-1\n");
    assertStringIncludes(credentialHint(env("other")), "does not exist");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
