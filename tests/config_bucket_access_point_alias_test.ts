/**
 * A bare access point alias is a bucket setting as a bare bucket name is:
 * AWS takes the alias wherever a bucket name goes, and `--bucket ALIAS`,
 * `VC_BUCKET=ALIAS` or a manifest's `"bucket": "ALIAS"` named it. The hint
 * that reads a scheme-less `ALIAS/key` as `s3://ALIAS/key` (a location, where
 * a bare name is a local path) refused it with "did you mean s3://ALIAS?",
 * though a bare name there already means that bucket.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { normalizeBucket } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";

const ALIAS = "my-ap-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias";

Deno.test("normalizeBucket: a bare access point alias is the bucket s3://ALIAS", () => {
  assertEquals(normalizeBucket(ALIAS, "--bucket"), `s3://${ALIAS}`);
  assertEquals(normalizeBucket(ALIAS, "VC_BUCKET"), `s3://${ALIAS}`);
  assertEquals(normalizeBucket(`s3://${ALIAS}/pre`, "--bucket"), `s3://${ALIAS}/pre`);
});

Deno.test("normalizeBucket: ALIAS/prefix, a relative path to a bare name, still hints s3://", () => {
  const e = assertThrows(() => normalizeBucket(`${ALIAS}/pre`, "--bucket"), InvalidInputError);
  assertStringIncludes(e.message, `did you mean s3://${ALIAS}/pre?`);
});
