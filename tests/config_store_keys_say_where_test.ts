/**
 * Settings of the S3 store written in a settings file, as rclone's or DVC's
 * config holds them (`"endpoint"`, `"endpointurl"`, `"region"`,
 * `"profile"`, keys), were refused as `unknown key "endpoint"`, naming only
 * the keys a file takes: nothing said that the endpoint is
 * `AWS_ENDPOINT_URL` (or the AWS profile's `endpoint_url`). So were the rows
 * of `vc config` no settings file holds that the earlier fix missed
 * (`concurrency`, `s3MaxAttempts`, `s3Anonymous`, `s3Credentials`). Each is
 * now refused saying where it is set, and never echoing the value (a key).
 */
import { join } from "node:path";
import { assert, assertThrows } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";

const CASES: [key: string, where: string][] = [
  ["concurrency", "VC_CONCURRENCY or --concurrency"],
  ["s3MaxAttempts", "AWS_MAX_ATTEMPTS"],
  ["s3Anonymous", "VC_S3_ANONYMOUS=1 or --no-sign-request"],
  ["s3Credentials", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"],
  ["endpoint", "AWS_ENDPOINT_URL"],
  ["endpoint_url", "AWS_ENDPOINT_URL"],
  ["endpointurl", "AWS_ENDPOINT_URL"],
  ["endpointUrl", "AWS_ENDPOINT_URL"],
  ["region", "AWS_REGION"],
  ["profile", "AWS_PROFILE"],
  ["awsProfile", "AWS_PROFILE"],
  ["access_key_id", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"],
  ["secretAccessKey", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"],
  ["forcePathStyle", "VC_S3_PATH_STYLE"],
];

Deno.test("settings files: a store setting says where it is set", async () => {
  const dir = await Deno.makeTempDir({ prefix: "config_store_keys_" });
  try {
    const file = join(dir, "c.json");
    for (const [key, where] of CASES) {
      await Deno.writeTextFile(file, JSON.stringify({ [key]: "s3cr3t-value" }));
      const error = assertThrows(
        () => resolveSettings({ configPath: file, cwd: dir, env: { HOME: dir } }),
        ConfigFileError,
        `"${key}" is not a settings file key: set it with ${where}`,
      );
      assert(!error.message.includes("s3cr3t"), error.message);
      // A project file says so too.
      await Deno.writeTextFile(join(dir, "vc.json"), JSON.stringify({ [key]: "s3cr3t-value" }));
      assertThrows(
        () => resolveSettings({ configPath: false, projectDir: dir, cwd: dir, env: { HOME: dir } }),
        ConfigFileError,
        `"${key}" is not a settings file key: set it with ${where}`,
      );
      await Deno.remove(join(dir, "vc.json"));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("settings files: a typo of a file key is still guessed as it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "config_store_keys_" });
  try {
    const file = join(dir, "c.json");
    await Deno.writeTextFile(file, JSON.stringify({ regon: "x" }));
    assertThrows(
      () => resolveSettings({ configPath: file, cwd: dir, env: { HOME: dir } }),
      ConfigFileError,
      'unknown key "regon"',
    );
    await Deno.writeTextFile(file, JSON.stringify({ cachedir: "x" }));
    assertThrows(
      () => resolveSettings({ configPath: file, cwd: dir, env: { HOME: dir } }),
      ConfigFileError,
      'did you mean "cacheDir"?',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
