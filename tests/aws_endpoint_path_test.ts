/**
 * An endpoint of AWS S3 itself with a path (`AWS_ENDPOINT_URL=
 * https://s3.eu-west-1.amazonaws.com/mybucket`, a bucket pasted into it) was
 * taken as a prefix of every request: `s3://mybucket/k` became the key
 * `mybucket/k`, read as "does not exist" and written there. AWS's hosts
 * have no such prefix, so the setting is now refused naming it, the
 * endpoint to set and the URI to give; another server's path (a gateway's)
 * is kept.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { resolveS3EndpointUrl, resolveS3Settings } from "../src/store/s3_config.ts";

const fromEnv = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("an AWS S3 endpoint with a path is refused, naming the endpoint and URI to use", () => {
  const cases: [string, string, string][] = [
    [
      "https://s3.eu-west-1.amazonaws.com/mybucket",
      "https://s3.eu-west-1.amazonaws.com",
      "s3://mybucket/",
    ],
    [
      "https://s3.us-iso-east-1.c2s.ic.gov/b/pre/",
      "https://s3.us-iso-east-1.c2s.ic.gov",
      "s3://b/pre/",
    ],
    [
      "https://s3-fips.us-gov-west-1.amazonaws.com/b",
      "https://s3-fips.us-gov-west-1.amazonaws.com",
      "s3://b/",
    ],
  ];
  for (const [value, endpoint, uri] of cases) {
    const e = assertThrows(
      () => resolveS3EndpointUrl({}, fromEnv({ AWS_ENDPOINT_URL: value, HOME: "/nonexistent" })),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "AWS_ENDPOINT_URL");
    assertStringIncludes(e.message, value);
    assertStringIncludes(e.message, `set ${endpoint}`);
    assertStringIncludes(e.message, uri);
    // The option says so too.
    assertStringIncludes(
      assertThrows(() => resolveS3Settings({ endpoint: value }, fromEnv({})), InvalidInputError)
        .message,
      "endpoint option",
    );
  }
  // AWS's hosts without a path, and another server's path, are kept.
  const kept = (value: string) =>
    resolveS3EndpointUrl({}, fromEnv({ AWS_ENDPOINT_URL: value, HOME: "/nonexistent" }));
  assertEquals(kept("https://s3.eu-west-1.amazonaws.com/"), "https://s3.eu-west-1.amazonaws.com");
  assertEquals(kept("https://gw.example.com/s3"), "https://gw.example.com/s3");
});
