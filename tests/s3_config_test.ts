// Endpoint / region / path-style resolution from options and environment.
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import {
  bucketBaseUrl,
  describeCredentialSource,
  isIpOrLocalhost,
  isVirtualHostable,
  parseBooleanEnv,
  resolveS3Settings,
} from "../src/store/s3_config.ts";

function envOf(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("s3_config: endpoint precedence is option > AWS_ENDPOINT_URL_S3 > AWS_ENDPOINT_URL", () => {
  const env = envOf({
    AWS_ENDPOINT_URL_S3: "http://s3only.example:9000",
    AWS_ENDPOINT_URL: "http://generic.example:9000",
  });
  assertEquals(
    resolveS3Settings({ endpoint: "http://opt.example:1/" }, env).endpoint,
    "http://opt.example:1",
  );
  assertEquals(resolveS3Settings({}, env).endpoint, "http://s3only.example:9000");
  assertEquals(resolveS3Settings({}, env).endpointSource, "AWS_ENDPOINT_URL_S3");
  assertEquals(
    resolveS3Settings({}, envOf({ AWS_ENDPOINT_URL: "http://generic.example:9000" })).endpoint,
    "http://generic.example:9000",
  );
  assertEquals(resolveS3Settings({}, envOf({})).endpoint, undefined);
  // An empty variable counts as unset.
  assertEquals(
    resolveS3Settings({}, envOf({ AWS_ENDPOINT_URL_S3: "", AWS_ENDPOINT_URL: "http://g.example" }))
      .endpoint,
    "http://g.example",
  );
});

Deno.test("s3_config: region precedence is option > AWS_REGION > AWS_DEFAULT_REGION > (SDK)", () => {
  const env = envOf({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" });
  assertEquals(resolveS3Settings({ region: "us-west-2" }, env).region, "us-west-2");
  assertEquals(resolveS3Settings({}, env).region, "eu-west-1");
  assertEquals(
    resolveS3Settings({}, envOf({ AWS_DEFAULT_REGION: "ap-south-1" })).region,
    "ap-south-1",
  );
  // Left to the SDK's profile lookup (then us-east-1) in s3.ts.
  assertEquals(resolveS3Settings({}, envOf({})).region, undefined);
});

Deno.test("s3_config: path style is automatic for IP / localhost endpoints", () => {
  for (
    const endpoint of [
      "http://127.0.0.1:9000",
      "http://localhost:4566",
      "http://[::1]:9000",
      "http://minio:9000",
      "https://10.0.0.5",
    ]
  ) {
    assertEquals(resolveS3Settings({ endpoint }, envOf({})).forcePathStyle, true, endpoint);
  }
  assertEquals(
    resolveS3Settings({}, envOf({ AWS_ENDPOINT_URL: "http://127.0.0.1:9000" })).forcePathStyle,
    true,
  );
  assertEquals(
    resolveS3Settings({ endpoint: "https://s3.example.com" }, envOf({})).forcePathStyle,
    false,
  );
  assertEquals(resolveS3Settings({}, envOf({})).forcePathStyle, false);
});

Deno.test("s3_config: path style can be overridden by option and VC_S3_PATH_STYLE", () => {
  const local = { endpoint: "http://127.0.0.1:9000" };
  assertEquals(
    resolveS3Settings({ ...local, forcePathStyle: false }, envOf({})).forcePathStyle,
    false,
  );
  assertEquals(
    resolveS3Settings(local, envOf({ VC_S3_PATH_STYLE: "0" })).forcePathStyle,
    false,
  );
  assertEquals(
    resolveS3Settings({ endpoint: "https://s3.example.com" }, envOf({ VC_S3_PATH_STYLE: "true" }))
      .forcePathStyle,
    true,
  );
  // The option wins over the variable.
  assertEquals(
    resolveS3Settings({ forcePathStyle: true }, envOf({ VC_S3_PATH_STYLE: "false" }))
      .forcePathStyle,
    true,
  );
});

Deno.test("s3_config: invalid VC_S3_PATH_STYLE and endpoints are InvalidInputError naming the source", () => {
  const e = assertThrows(
    () => resolveS3Settings({}, envOf({ VC_S3_PATH_STYLE: "maybe" })),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "VC_S3_PATH_STYLE");
  const bad = assertThrows(
    () => resolveS3Settings({}, envOf({ AWS_ENDPOINT_URL: "127.0.0.1:9000" })),
    InvalidInputError,
  );
  assertStringIncludes(bad.message, "AWS_ENDPOINT_URL");
  const ftp = assertThrows(
    () => resolveS3Settings({ endpoint: "ftp://x.example" }, envOf({})),
    InvalidInputError,
  );
  assertStringIncludes(ftp.message, "endpoint option");
  assertEquals(parseBooleanEnv("VC_X", " 1 "), true);
  assertEquals(parseBooleanEnv("X", " true "), true);
  assertEquals(parseBooleanEnv("X", "FALSE"), false);
  assertEquals(parseBooleanEnv("X", ""), undefined);
});

Deno.test("s3_config: VC_S3_PATH_STYLE takes the booleans VC_OFFLINE and VC_FROZEN take", () => {
  // `VC_OFFLINE=yes` worked and `VC_S3_PATH_STYLE=yes` was refused.
  const style = (v: string) =>
    resolveS3Settings(
      {},
      envOf({ AWS_ENDPOINT_URL: "http://minio.example:9000", VC_S3_PATH_STYLE: v }),
    ).forcePathStyle;
  for (const v of ["yes", "ON", "1", "true"]) assertEquals(style(v), true, v);
  for (const v of ["no", "Off", "0", "false"]) assertEquals(style(v), false, v);
  assertStringIncludes(
    assertThrows(() => style("2"), InvalidInputError).message,
    "yes/no or on/off",
  );
  // An AWS_* variable keeps the aws CLI's reading: `yes` is no boolean there.
  assertThrows(
    () => resolveS3Settings({}, envOf({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "yes" })),
    InvalidInputError,
  );
});

Deno.test("s3_config: host classification", () => {
  assert(isIpOrLocalhost("localhost"));
  assert(isIpOrLocalhost("s3.localhost"));
  assert(isIpOrLocalhost("192.168.1.10"));
  assert(isIpOrLocalhost("[2001:db8::1]"));
  assert(!isIpOrLocalhost("s3.us-east-1.amazonaws.com"));
  assert(!isIpOrLocalhost("minio.example.org"));
  assert(isVirtualHostable("my-bucket", true));
  assert(isVirtualHostable("my.bucket", false));
  assert(!isVirtualHostable("my.bucket", true));
  assert(!isVirtualHostable("My-Bucket", false));
  assert(!isVirtualHostable("under_score", false));
  assert(!isVirtualHostable("ab", false));
});

Deno.test("s3_config: bucketBaseUrl for AWS, custom endpoints, path and virtual style", () => {
  const aws = { endpoint: undefined, forcePathStyle: false };
  assertEquals(bucketBaseUrl(aws, "data", "eu-west-1"), "https://data.s3.eu-west-1.amazonaws.com");
  assertEquals(
    bucketBaseUrl(aws, "cn-data", "cn-north-1"),
    "https://cn-data.s3.cn-north-1.amazonaws.com.cn",
  );
  // Dotted buckets cannot use the TLS wildcard certificate: path style.
  assertEquals(
    bucketBaseUrl(aws, "my.data", "us-east-1"),
    "https://s3.us-east-1.amazonaws.com/my.data",
  );
  assertEquals(
    bucketBaseUrl({ endpoint: "http://127.0.0.1:9000", forcePathStyle: true }, "b1", "us-east-1"),
    "http://127.0.0.1:9000/b1",
  );
  assertEquals(
    bucketBaseUrl({ endpoint: "https://store.example.com/s3", forcePathStyle: true }, "b1", "x"),
    "https://store.example.com/s3/b1",
  );
  assertEquals(
    bucketBaseUrl({ endpoint: "https://store.example.com", forcePathStyle: false }, "bkt", "x"),
    "https://bkt.store.example.com",
  );
});

Deno.test("s3_config: credential source descriptions never contain secrets", () => {
  assertStringIncludes(describeCredentialSource(true, envOf({})), "options");
  const fromEnv = describeCredentialSource(
    false,
    envOf({ AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "supersecret" }),
  );
  assertStringIncludes(fromEnv, "AWS_ACCESS_KEY_ID");
  assert(!fromEnv.includes("supersecret"));
  assertStringIncludes(describeCredentialSource(false, envOf({ AWS_PROFILE: "prod" })), '"prod"');
  // As in the aws CLI's chain, environment keys come before a named profile.
  const both = describeCredentialSource(
    false,
    envOf({ AWS_PROFILE: "prod", AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "supersecret" }),
  );
  assertStringIncludes(both, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the environment");
  assertStringIncludes(both, 'not AWS profile "prod"');
  assert(!both.includes("supersecret"));
  assertStringIncludes(describeCredentialSource(false, envOf({})), "default AWS credential chain");
});
