/**
 * A redirect to one of AWS's regional S3 hosts names the bucket's region, also
 * when the answer has no `x-amz-bucket-region` header (a proxy that drops it,
 * S3's 307 TemporaryRedirect for a new bucket, S3-compatible gateways that
 * copy S3's body only): the message said "redirected ... to
 * b.s3.eu-west-2.amazonaws.com: point the endpoint (AWS_ENDPOINT_URL) or region
 * (AWS_REGION) there", leaving the user to read the region out of a host name
 * and to guess which of the two to set. A store that is not AWS (Wasabi's
 * `s3.eu-central-1.wasabisys.com`) is named as an endpoint URL to set.
 */
import { StoreError } from "../src/errors.ts";
import type { S3Store } from "../src/store/s3.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, testS3Store } from "./versioned_helpers.ts";

function redirectXml(code: string, endpoint: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>The ` +
    `bucket you are attempting to access must be addressed using the specified endpoint.` +
    `</Message><Endpoint>${endpoint}</Endpoint><Bucket>b</Bucket><RequestId>R1</RequestId></Error>`;
}

/** A store whose every request is answered by `answer` (one attempt each). */
async function withRedirectingStore(
  answer: (req: Request) => Response,
  fn: (store: S3Store) => Promise<void>,
): Promise<void> {
  await using server = answeringS3(answer);
  await using store = testS3Store(server, "b", { maxAttempts: 1 });
  await fn(store);
}

const operations = (store: S3Store) =>
  [
    ["GET", () => store.get("k.txt")],
    ["LIST", async () => {
      for await (const _ of store.list("p/")) { /* drain */ }
    }],
    ["PUT", () => store.put("k.txt", new TextEncoder().encode("hello"))],
    // (Requests through the AWS SDK: s3_sdk_redirect_location_test.ts.)
  ] as const;

for (
  const [label, answer] of [
    [
      "301 PermanentRedirect, the region only in <Endpoint>",
      () =>
        new Response(redirectXml("PermanentRedirect", "b.s3.eu-west-2.amazonaws.com"), {
          status: 301,
          headers: { "content-type": "application/xml" },
        }),
    ],
    [
      "307 TemporaryRedirect to a legacy s3-REGION host",
      () =>
        new Response(redirectXml("TemporaryRedirect", "b.s3-eu-west-2.amazonaws.com"), {
          status: 307,
          headers: {
            "content-type": "application/xml",
            location: "https://b.s3-eu-west-2.amazonaws.com/k.txt",
          },
        }),
    ],
    [
      "307 with only a Location to a dual-stack host",
      () =>
        new Response(null, {
          status: 307,
          headers: { location: "https://b.s3.dualstack.eu-west-2.amazonaws.com/k.txt" },
        }),
    ],
  ] as const
) {
  Deno.test(`S3Store: a redirect names the bucket's region: ${label}`, async () => {
    await withRedirectingStore(answer, async (store) => {
      for (const [op, run] of operations(store)) {
        const error = await assertRejects(run, StoreError);
        assertStringIncludes(error.message, "s3://b/", op);
        assertStringIncludes(
          error.message,
          "bucket b is in region eu-west-2, not us-east-1: set AWS_REGION=eu-west-2",
          op,
        );
        assertEquals(error.status, label.startsWith("301") ? 301 : 307, op);
      }
    });
  });
}

Deno.test("S3Store: a redirect to another S3-compatible host names the endpoint URL to set", async () => {
  await withRedirectingStore(
    () =>
      new Response(redirectXml("PermanentRedirect", "b.s3.eu-central-1.wasabisys.com"), {
        status: 301,
        headers: { "content-type": "application/xml" },
      }),
    async (store) => {
      for (const [op, run] of operations(store)) {
        const error = await assertRejects(run, StoreError);
        assertStringIncludes(error.message, "s3://b/", op);
        assertStringIncludes(error.message, "to b.s3.eu-central-1.wasabisys.com", op);
        assertStringIncludes(
          error.message,
          "AWS_ENDPOINT_URL=http://s3.eu-central-1.wasabisys.com",
          op,
        );
      }
    },
  );
});
