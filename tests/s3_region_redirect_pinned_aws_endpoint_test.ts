/**
 * AWS_ENDPOINT_URL pinned to one region's S3 host (`https://s3.amazonaws.com`,
 * `https://s3.us-east-1.amazonaws.com`) and a bucket in another region: vc
 * signs the request for the bucket's region and sends it once more, to the
 * endpoint set, which S3 sends off again. The error said only "set
 * AWS_REGION=eu-west-2", which changes nothing while the endpoint names
 * another region's host; it now names the endpoint to set (or to unset).
 * A custom endpoint (MinIO and the like, one host for every region) keeps
 * the plain "set AWS_REGION" advice.
 */
import { assert, assertStringIncludes } from "./assert.ts";
import { s3HttpError } from "../src/store/s3_errors.ts";

const redirect = { code: "PermanentRedirect", region: "eu-west-2", message: "use the endpoint" };
const ctx = {
  operation: "GET",
  uri: "s3://b/k",
  bucket: "b",
  region: "us-east-1",
  credentialSource: "options",
};

Deno.test("a region redirect from an AWS host pinned in the endpoint names the bucket's region's host", () => {
  for (const endpoint of ["https://s3.us-east-1.amazonaws.com", "https://s3.amazonaws.com"]) {
    const e = s3HttpError(301, redirect, { ...ctx, endpoint, endpointSource: "AWS_ENDPOINT_URL" });
    assertStringIncludes(e.message, "bucket b is in region eu-west-2, not us-east-1");
    assertStringIncludes(
      e.message,
      "AWS_ENDPOINT_URL=https://s3.eu-west-2.amazonaws.com, in place of AWS_ENDPOINT_URL",
      endpoint,
    );
    assertStringIncludes(e.message, "AWS_REGION=eu-west-2");
  }
});

Deno.test("a region redirect from a custom endpoint, or AWS's own, says to set the region only", () => {
  for (const endpoint of ["http://minio:9000", undefined]) {
    const e = s3HttpError(301, redirect, {
      ...ctx,
      endpoint: endpoint ?? "https://s3.us-east-1.amazonaws.com",
      ...(endpoint === undefined ? {} : { endpointSource: "AWS_ENDPOINT_URL" }),
    });
    assertStringIncludes(e.message, "set AWS_REGION=eu-west-2 or the region option");
    assert(!e.message.includes("AWS_ENDPOINT_URL="), e.message);
  }
});
