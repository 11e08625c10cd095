/**
 * An AWS_* variable set to only white space (`AWS_ENDPOINT_URL: " "` in a CI
 * file, `AWS_PROFILE=${PROFILE# }` gone wrong) was taken for an unset one:
 * a blank `AWS_ENDPOINT_URL` sent requests to AWS itself, and served warm
 * copies from its namespace, instead of the store meant; a blank
 * `AWS_PROFILE` signed with the `[default]` profile's keys; a blank
 * `AWS_REGION` took another region, all without a word. The AWS SDK takes
 * such a value as written (its endpoint selector and key provider test
 * truthiness, its profile name is `init.profile || AWS_PROFILE ||
 * "default"`, its boolean selector refuses anything but `true`/`false`), and
 * the aws CLI fails on it too (an endpoint that is no URL, a profile " "
 * not found, a region that is no region). vc now refuses it naming the
 * variable, as it refuses a blank `VC_*` one; an empty one (`AWS_PROFILE=`)
 * is still unset, as for the SDK.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseBooleanEnv, resolveS3Settings } from "../src/store/s3_config.ts";
import { caBundleSetting } from "../src/store/ca_bundle.ts";
import { CliWorkspace } from "./cli_harness.ts";

const BLANKS = [" ", "\t"];

// What each variable makes resolveS3Settings refuse, blank.
const SETTINGS_VARIABLES = [
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_MAX_ATTEMPTS",
  "AWS_USE_FIPS_ENDPOINT",
  "AWS_USE_DUALSTACK_ENDPOINT",
  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
];

// A home with no ~/.aws: nothing of the machine's own profiles is read.
const HOME = "/nonexistent-home-of-blank-aws-test";

for (const variable of SETTINGS_VARIABLES) {
  Deno.test(`S3 settings: ${variable} blank is refused, naming it; empty is unset`, () => {
    for (const blank of BLANKS) {
      const env = (n: string) =>
        ({ HOME, AWS_ENDPOINT_URL: "http://127.0.0.1:9000", [variable]: blank })[n];
      const e = assertThrows(() => resolveS3Settings({}, env), InvalidInputError);
      assertStringIncludes(e.message, variable);
      assertStringIncludes(e.message, JSON.stringify(blank));
    }
    const empty = (n: string) =>
      ({ HOME, AWS_ENDPOINT_URL: "http://127.0.0.1:9000", [variable]: "" })[n];
    const s = resolveS3Settings({}, empty);
    assertEquals(s.endpoint, variable === "AWS_ENDPOINT_URL" ? undefined : "http://127.0.0.1:9000");
  });
}

Deno.test("AssetCache: a blank AWS_ENDPOINT_URL is refused, not taken for AWS itself", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-aws-blank-env-" });
  try {
    for (
      const env of [
        { HOME, AWS_ENDPOINT_URL: " " },
        // The SDK takes AWS_ENDPOINT_URL_S3 first when it is set at all.
        { HOME, AWS_ENDPOINT_URL_S3: " ", AWS_ENDPOINT_URL: "http://127.0.0.1:9000" },
      ]
    ) {
      const e = assertThrows(
        () => new AssetCache({ cacheDir: join(root, "cache"), configPath: false, env }),
        InvalidInputError,
      );
      assertStringIncludes(e.message, Object.keys(env)[1]!);
    }
    // Empty: unset, as before (and as for the SDK).
    await using cache = new AssetCache({
      cacheDir: join(root, "cache"),
      configPath: false,
      env: { HOME, AWS_ENDPOINT_URL_S3: "", AWS_ENDPOINT_URL: "http://127.0.0.1:9000" },
    });
    assertStringIncludes(cache.localPath("s3://b/k"), "127.0.0.1");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("an AWS_* boolean blank is refused, as the AWS SDK refuses it; empty is unset", () => {
  assertThrows(
    () => parseBooleanEnv("AWS_USE_FIPS_ENDPOINT", " "),
    InvalidInputError,
    "AWS_USE_FIPS_ENDPOINT",
  );
  assertEquals(parseBooleanEnv("AWS_USE_FIPS_ENDPOINT", ""), undefined);
});

Deno.test("vc config with AWS_PROFILE blank: the endpoint row names the error, exit 1", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--json"], {
    VC_BUCKET: "s3://team-assets",
    AWS_REGION: "eu-west-1",
    AWS_PROFILE: " ",
  });
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "AWS_PROFILE");
  const rows = JSON.parse(r.stdout) as { name: string; error?: string }[];
  const errors = rows.filter((x) => x.error !== undefined);
  assertEquals(errors.length > 0, true, r.stdout);
  for (const row of errors) assertStringIncludes(row.error!, "AWS_PROFILE");
});

Deno.test("a blank AWS_CA_BUNDLE is refused naming it, not passed over for the profile's bundle or none", () => {
  // The aws CLI fails on it (no CA bundle at " "); taken for unset, an https
  // request to a private-CA endpoint failed with "set AWS_CA_BUNDLE", which was set.
  const profile = () => ({ profile: "default", file: "/p/config", caBundle: "/p/ca.pem" });
  for (const blank of BLANKS) {
    const e = assertThrows(
      () => caBundleSetting((n) => ({ HOME, AWS_CA_BUNDLE: blank })[n], profile),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "AWS_CA_BUNDLE");
    assertStringIncludes(e.message, JSON.stringify(blank));
  }
  // Empty: unset, as for the SDK; the profile's bundle applies.
  assertEquals(
    caBundleSetting((n) => ({ HOME, AWS_CA_BUNDLE: "" })[n], profile)?.file,
    "/p/ca.pem",
  );
});
