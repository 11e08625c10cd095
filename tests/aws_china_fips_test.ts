/**
 * AWS China has no S3 FIPS endpoints: the AWS SDK refuses
 * `AWS_USE_FIPS_ENDPOINT=true` with a `cn-*` region ("Partition does not
 * support FIPS", naming no setting), while vc's own requests went to
 * `s3-fips.cn-north-1.amazonaws.com.cn`, a host that does not exist, and
 * failed as an unreachable network. The setting is now refused before any
 * request, naming the variable (or the profile's line) and the region, from
 * the one partition table.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { resolveS3Settings } from "../src/store/s3_config.ts";
import { runVc } from "./cli_process.ts";

const fromEnv = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("resolveS3Settings: FIPS in an AWS China region is refused naming the setting", () => {
  const e = assertThrows(
    () =>
      resolveS3Settings(
        {},
        fromEnv({ AWS_REGION: "cn-north-1", AWS_USE_FIPS_ENDPOINT: "true", HOME: "/nonexistent" }),
      ),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "AWS_USE_FIPS_ENDPOINT");
  assertStringIncludes(e.message, "cn-north-1");
  assertStringIncludes(e.message, "no FIPS endpoint");
  // The other partitions have them; an endpoint of one's own is not AWS's.
  for (const region of ["us-gov-west-1", "us-iso-east-1", "eu-west-1", "eusc-de-east-1"]) {
    const s = resolveS3Settings(
      {},
      fromEnv({ AWS_REGION: region, AWS_USE_FIPS_ENDPOINT: "true", HOME: "/nonexistent" }),
    );
    assert(s.useFipsEndpoint, region);
  }
  resolveS3Settings(
    { endpoint: "http://127.0.0.1:9000" },
    fromEnv({ AWS_REGION: "cn-north-1", AWS_USE_FIPS_ENDPOINT: "false", HOME: "/nonexistent" }),
  );
});

Deno.test("resolveS3Settings: a profile's use_fips_endpoint in China names its file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-china-fips-" });
  try {
    const config = join(dir, "config");
    await Deno.writeTextFile(
      config,
      "[default]\nregion = cn-northwest-1\nuse_fips_endpoint = true\n",
    );
    const e = assertThrows(
      () => resolveS3Settings({}, fromEnv({ AWS_CONFIG_FILE: config, HOME: dir })),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "use_fips_endpoint");
    assertStringIncludes(e.message, config);
    assertStringIncludes(e.message, "cn-northwest-1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc cache get: FIPS in China is refused as a setting, no unreachable host", async () => {
  const { code, stderr } = await runVc(["cache", "get", "s3://bucket/key"], {
    AWS_REGION: "cn-north-1",
    AWS_USE_FIPS_ENDPOINT: "true",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_MAX_ATTEMPTS: "1",
    // Nothing is to be sent; were it, it would be refused here, not go out.
    HTTPS_PROXY: "http://127.0.0.1:1",
  });
  assertEquals(code, 1, stderr); // as a malformed AWS_REGION is
  assertStringIncludes(stderr, "AWS_USE_FIPS_ENDPOINT");
  assert(!stderr.includes("s3-fips.cn-north-1"), stderr);
});
