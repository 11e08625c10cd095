/**
 * `AWS_DEFAULT_PROFILE`: the aws CLI (botocore) reads it before
 * `AWS_PROFILE` (`aws configure list` shows the profile from
 * `['AWS_DEFAULT_PROFILE', 'AWS_PROFILE']`), but the AWS SDK for JavaScript
 * does not read it at all, so vc signed with the default profile's keys and
 * took its region where `aws` used the named profile's. vc now uses the
 * profile the aws CLI uses: its keys, its region, and messages name the
 * variable.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { writeSharedFiles } from "./aws_shared_files.ts";

Deno.test("AWS_DEFAULT_PROFILE names the profile, before AWS_PROFILE, as for the aws CLI", async () => {
  const keys: string[] = [];
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const auth = req.headers.get("authorization") ?? "";
    keys.push(/Credential=([^/]+)\/\d+\/([^/]+)/.exec(auth)?.slice(1).join(" ") ?? "");
    return new Response(
      '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>',
      { status: 403, headers: { "content-type": "application/xml" } },
    );
  });
  await withWorkspace(async (dir, vc) => {
    const files = await writeSharedFiles(dir, {
      config: "[default]\nregion = us-east-1\n[profile a]\nregion = eu-west-1\n" +
        "[profile b]\nregion = ap-south-1\n",
      credentials: ["default", "a", "b"].map((p) =>
        `[${p}]\naws_access_key_id = KEY${p.toUpperCase()}\naws_secret_access_key = s\n`
      ).join(""),
    });
    const env = { ...files.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${server.addr.port}` };
    for (
      const extra of [{ AWS_DEFAULT_PROFILE: "a" }, { AWS_DEFAULT_PROFILE: "a", AWS_PROFILE: "b" }]
    ) {
      keys.length = 0;
      const run = await vc(["cache", "get", "s3://bkt/k.txt"], { ...env, ...extra });
      assertEquals(run.code, 1, run.stderr);
      assertStringIncludes(run.stderr, 'AWS profile "a" (AWS_DEFAULT_PROFILE)');
      assertStringIncludes(run.stderr, "access key KEYA");
      assertEquals(keys.length > 0 && keys.every((k) => k === "KEYA eu-west-1"), true, `${keys}`);
    }
    const missing = await vc(["cache", "get", "s3://bkt/k.txt"], {
      ...env,
      AWS_DEFAULT_PROFILE: "zzz",
    });
    assertEquals(missing.code, 1, missing.stderr);
    assertStringIncludes(
      missing.stderr,
      'AWS_DEFAULT_PROFILE names the profile "zzz", which does not exist',
    );
  });
});
