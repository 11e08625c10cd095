/**
 * `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` (and a profile's
 * `use_fips_endpoint` / `use_dualstack_endpoint`) were ignored: vc's own
 * requests went to `s3.REGION.amazonaws.com` where the aws CLI and the SDK
 * go to `s3-fips.REGION…` / `s3.dualstack.REGION…`, silently, for a user
 * who must use FIPS endpoints. A configured endpoint is used as it is.
 */
import { join } from "node:path";
import { bucketBaseUrl, resolveS3Settings } from "../src/store/s3_config.ts";
import { assertEquals } from "./assert.ts";

const urlFor = (vars: Record<string, string>) =>
  bucketBaseUrl(resolveS3Settings({}, (name) => vars[name]), "bkt", "us-east-1");

Deno.test("AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT choose AWS's endpoint as the aws CLI does", () => {
  const none = { AWS_CONFIG_FILE: "/nonexistent/config" };
  assertEquals(urlFor(none), "https://bkt.s3.us-east-1.amazonaws.com");
  assertEquals(
    urlFor({ ...none, AWS_USE_FIPS_ENDPOINT: "true" }),
    "https://bkt.s3-fips.us-east-1.amazonaws.com",
  );
  assertEquals(
    urlFor({ ...none, AWS_USE_DUALSTACK_ENDPOINT: "true" }),
    "https://bkt.s3.dualstack.us-east-1.amazonaws.com",
  );
  assertEquals(
    urlFor({ ...none, AWS_USE_FIPS_ENDPOINT: "TRUE", AWS_USE_DUALSTACK_ENDPOINT: "true" }),
    "https://bkt.s3-fips.dualstack.us-east-1.amazonaws.com",
  );
  // A configured endpoint is the endpoint.
  assertEquals(
    urlFor({ ...none, AWS_USE_FIPS_ENDPOINT: "true", AWS_ENDPOINT_URL: "http://127.0.0.1:9000" }),
    "http://127.0.0.1:9000/bkt",
  );
});

Deno.test("a profile's use_fips_endpoint / use_dualstack_endpoint, the variable deciding over it", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc_fips_profile_" });
  try {
    const config = join(dir, "config");
    Deno.writeTextFileSync(
      config,
      "[profile gov]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n",
    );
    const vars = { AWS_CONFIG_FILE: config, AWS_PROFILE: "gov" };
    assertEquals(urlFor(vars), "https://bkt.s3-fips.dualstack.us-east-1.amazonaws.com");
    assertEquals(
      urlFor({ ...vars, AWS_USE_FIPS_ENDPOINT: "false" }),
      "https://bkt.s3.dualstack.us-east-1.amazonaws.com",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
