/**
 * Keys in the environment sign before any profile's, as for the aws CLI,
 * whose chain starts with them also when `AWS_PROFILE` is set (the profile
 * still gives the endpoint and region). The AWS SDK's chain skips them when a
 * profile is named: a profile holding only an `endpoint_url` (MinIO's, with
 * the keys in CI's environment) found no credentials ("Could not load
 * credentials from any providers") where `aws s3 ls` worked, and one with
 * keys of its own signed with those instead. An `AWS_ACCESS_KEY_ID` without
 * its secret is refused, as `aws` refuses it ("Partial credentials found in
 * env"), rather than passed over for the `[default]` profile's keys.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { type Run, withWorkspace } from "./cli_process.ts";

const ENV_KEYS = { AWS_ACCESS_KEY_ID: "AKIDFROMENV", AWS_SECRET_ACCESS_KEY: "envsecret" };

/**
 * A fake S3 holding `s3://bkt/k.csv` that records the access key ID each
 * request is signed with (`keys`, from after the setup), and a workspace
 * with the AWS config and credentials files of its profiles: `get(env)`
 * runs `vc cache get s3://bkt/k.csv` (after `flags`) with those files and `env`.
 */
async function withProfiles(
  fn: (t: {
    url: string;
    keys: string[];
    get: (env: Record<string, string>, flags?: string[]) => Promise<Run>;
  }) => Promise<void>,
): Promise<void> {
  const keys: string[] = [];
  await using fake = await startFakeS3({
    buckets: ["bkt"],
    onRequest: (entry) => {
      const key = /Credential=([^/]+)\//.exec(entry.headers["authorization"] ?? "")?.[1];
      keys.push(key ?? "(unsigned)");
    },
  });
  await fake.putObject("bkt", "k.csv", "a,b\n");
  keys.length = 0;
  await withWorkspace(async (dir, vc) => {
    const files = await writeAwsFiles(dir, fake.url);
    const get = (env: Record<string, string>, flags: string[] = []) =>
      vc(["cache", "get", ...flags, "s3://bkt/k.csv"], { ...files, ...env });
    await fn({ url: fake.url, keys, get });
  });
}

async function writeAwsFiles(dir: string, endpoint: string): Promise<Record<string, string>> {
  const config = join(dir, "aws_config");
  const credentials = join(dir, "aws_credentials");
  await Deno.writeTextFile(
    config,
    `[profile endpoint-only]\nregion = eu-west-1\nendpoint_url = ${endpoint}\n\n` +
      `[profile with-keys]\nregion = eu-west-1\nendpoint_url = ${endpoint}\n`,
  );
  await Deno.writeTextFile(
    credentials,
    "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = defaultsecret\n\n" +
      "[with-keys]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profilesecret\n",
  );
  return { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
}

Deno.test("environment keys sign with a profile that names only the endpoint", async () => {
  await withProfiles(async ({ keys, get }) => {
    const run = await get({ ...ENV_KEYS, AWS_PROFILE: "endpoint-only" });
    assertEquals(run.code, 0, run.stderr);
    assertEquals([...new Set(keys)], ["AKIDFROMENV"]);
    // No word from the SDK about "Multiple credential sources".
    assertEquals(run.stderr, "");
  });
});

Deno.test("environment keys sign before the keys of the profile AWS_PROFILE names", async () => {
  await withProfiles(async ({ keys, get }) => {
    const run = await get({ ...ENV_KEYS, AWS_PROFILE: "with-keys" });
    assertEquals(run.code, 0, run.stderr);
    assertEquals([...new Set(keys)], ["AKIDFROMENV"]);
    // Without keys in the environment the profile's sign.
    keys.length = 0;
    const profile = await get({ AWS_PROFILE: "with-keys" }, ["--timeout", "0"]);
    assertEquals(profile.code, 0, profile.stderr);
    assertEquals([...new Set(keys)], ["AKIDPROFILE"]);
  });
});

Deno.test("an AWS_ACCESS_KEY_ID without its secret is refused, not passed over for a profile's keys", async () => {
  await withProfiles(async ({ url, keys, get }) => {
    for (const profile of [{}, { AWS_PROFILE: "with-keys" }]) {
      const run = await get({
        ...profile,
        AWS_ENDPOINT_URL: url,
        AWS_ACCESS_KEY_ID: "AKIDFROMENV",
      });
      assertEquals(run.code, 1, run.stderr);
      assertStringIncludes(
        run.stderr,
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
      );
      assert(!run.stderr.includes("AKIDFROMENV"), run.stderr);
    }
    assertEquals(keys, []);
  });
});

Deno.test("environment keys beside an AWS_PROFILE that names no profile fail naming it", async () => {
  await withProfiles(async ({ keys, get }) => {
    const run = await get({ ...ENV_KEYS, AWS_PROFILE: "endpiont-only" });
    // The profile's endpoint and region would be missed: AWS itself, not the fake S3.
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, 'AWS_PROFILE names the profile "endpiont-only"');
    assert(!run.stderr.includes("envsecret"), run.stderr);
    assertEquals(keys, []);
  });
});
