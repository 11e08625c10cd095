/**
 * An endpoint on an AWS S3 host that already names a bucket (a bucket's
 * "Object URL" base pasted in: `AWS_ENDPOINT_URL=
 * https://mybucket.s3.eu-west-1.amazonaws.com/prefix`) was refused for its
 * path with the wrong cure: "set https://mybucket.s3.eu-west-1.amazonaws.com
 * and name the bucket in the URI, s3://prefix/KEY", taking the prefix for
 * the bucket and keeping the bucket in the endpoint. Without a path it was
 * taken, and every request named the bucket twice (`mybucket.mybucket.s3…`
 * virtual-hosted, the key `mybucket/KEY` path-style). Both are now refused
 * naming the endpoint without the bucket and the URI with it; an access
 * point's host names its alias form. Another server's bucket-like host
 * (`s3.example.com`, a MinIO at `s3.us-east-1.minio.local`) is kept as
 * before, path and all.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { resolveS3EndpointUrl } from "../src/store/s3_config.ts";

const endpoint = (value: string) =>
  resolveS3EndpointUrl(
    {},
    (name) => ({ AWS_ENDPOINT_URL: value, HOME: "/nonexistent" } as Record<string, string>)[name],
  );

Deno.test("an AWS bucket's own host as the endpoint is refused, naming the endpoint and URI", () => {
  const cases: [string, string, string][] = [
    [
      "https://mybucket.s3.eu-west-1.amazonaws.com/prefix",
      "https://s3.eu-west-1.amazonaws.com",
      "s3://mybucket/prefix/KEY",
    ],
    [
      "https://my.dotted.bucket.s3-fips.us-gov-west-1.amazonaws.com/a/b/",
      "https://s3-fips.us-gov-west-1.amazonaws.com",
      "s3://my.dotted.bucket/a/b/KEY",
    ],
    [
      "https://us-east-1.s3.amazonaws.com",
      "https://s3.amazonaws.com",
      "s3://us-east-1/KEY",
    ],
  ];
  for (const [value, meant, uri] of cases) {
    const e = assertThrows(() => endpoint(value), InvalidInputError);
    assertStringIncludes(e.message, `AWS_ENDPOINT_URL is "${value}"`);
    assertStringIncludes(e.message, `set ${meant} `);
    assertStringIncludes(e.message, uri);
  }
});

Deno.test("an AWS access point's host as the endpoint is refused, naming its alias form", () => {
  const e = assertThrows(
    () => endpoint("https://reports-123456789012.s3-accesspoint.us-east-1.amazonaws.com/x"),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "access point");
  assertStringIncludes(e.message, "set https://s3.us-east-1.amazonaws.com ");
  assertStringIncludes(e.message, "s3://ALIAS/x/KEY");
});

Deno.test("another server's host shaped like S3's keeps its path", () => {
  for (
    const value of [
      "https://s3.example.com/base",
      "https://mybucket.s3.us-east-1.minio.local/base",
      "http://s3.us-east-1.amazonaws.com.example.com:9000/gw",
    ]
  ) {
    assertEquals(endpoint(value), value);
  }
  assertEquals(
    endpoint("https://s3.eu-west-1.amazonaws.com/"),
    "https://s3.eu-west-1.amazonaws.com",
  );
});
