/**
 * `vc config` names the credentials the stores sign with and where they come
 * from, as `aws configure list` shows its `access_key`: the access key ID
 * with all but its last 4 characters masked, never a secret; keys in the
 * environment before the profile's; a profile's role, SSO or program by its
 * setting and line. Credentials a request would refuse (an
 * `AWS_ACCESS_KEY_ID` alone, an `AWS_PROFILE` naming no profile) show in
 * the row as an error, and `vc config` exits 1. Before, it showed the
 * endpoint and region but not which keys, the first question about an
 * AccessDenied.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

type Row = { name: string; value: unknown; source: string; error?: string };

Deno.test("vc config: the s3Credentials row names the keys and their source, never a secret", async () => {
  await withWorkspace(async (dir, vc) => {
    const config = join(dir, "aws_config");
    const credentials = join(dir, "aws_credentials");
    await Deno.writeTextFile(
      config,
      "[profile lab]\nregion = eu-west-1\n\n[profile role]\nrole_arn = arn:aws:iam::1:role/r\n" +
        "source_profile = lab\n\n[profile bare]\nregion = eu-west-1\n",
    );
    await Deno.writeTextFile(
      credentials,
      "[lab]\naws_access_key_id = AKIDPROFILE9876\naws_secret_access_key = profilesecret\n",
    );
    const files = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
    const row = async (env: Record<string, string>) => {
      const run = await vc(["config", "--json"], { ...files, ...env });
      assert(!run.stdout.includes("secret") && !run.stderr.includes("secret"), run.stdout);
      const found = (JSON.parse(run.stdout) as Row[]).find((r) => r.name === "s3Credentials");
      return { code: run.code, row: found!, stderr: run.stderr };
    };

    const profile = await row({ AWS_PROFILE: "lab" });
    assertEquals(profile.code, 0, profile.stderr);
    assertEquals(profile.row.value, "****************9876");
    assertEquals(
      profile.row.source,
      `aws_access_key_id of AWS profile "lab" in ${credentials}:2`,
    );

    const env = await row({
      AWS_PROFILE: "lab",
      AWS_ACCESS_KEY_ID: "AKIDFROMENV1234",
      AWS_SECRET_ACCESS_KEY: "envsecret",
      AWS_SESSION_TOKEN: "sessionsecret",
    });
    assertEquals(env.row.value, "****************1234 (with AWS_SESSION_TOKEN)");
    assertStringIncludes(env.row.source, "env AWS_ACCESS_KEY_ID");
    assertStringIncludes(env.row.source, 'before AWS profile "lab"');

    const role = await row({ AWS_PROFILE: "role" });
    assertEquals(role.row.value, "role_arn arn:aws:iam::1:role/r");
    assertEquals(role.row.source, `role_arn of AWS profile "role" in ${config}:5`);

    const bare = await row({ AWS_PROFILE: "bare" });
    assertEquals(bare.code, 0, bare.stderr);
    assertEquals(bare.row.value, null);
    assertStringIncludes(bare.row.source, 'none in AWS profile "bare"');

    const partial = await row({ AWS_PROFILE: "lab", AWS_ACCESS_KEY_ID: "AKIDFROMENV1234" });
    assertEquals(partial.code, 1);
    assertEquals(partial.row.value, null);
    assertStringIncludes(partial.row.error ?? "", "AWS_SECRET_ACCESS_KEY is not");
    assertStringIncludes(partial.stderr, "AWS_SECRET_ACCESS_KEY is not");

    const missing = await row({ AWS_PROFILE: "lba" });
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.row.error ?? "", 'AWS_PROFILE names the profile "lba"');
  });
});
