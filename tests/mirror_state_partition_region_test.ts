/**
 * A mirror to AWS GovCloud or AWS China with no endpoint configured (only
 * `AWS_REGION=us-gov-west-1`, `cn-north-1`) sends its requests to that
 * partition's endpoint, as the AWS SDK resolves it
 * (`s3.us-gov-west-1.amazonaws.com`, `s3.cn-north-1.amazonaws.com.cn`): its
 * `s3://bucket/prefix` is another bucket than the commercial one of the
 * same name. Its state identity is that endpoint's, the one a mirror given
 * it spelled out has, never the commercial partition's (no endpoint), whose
 * state file and lock it would otherwise share.
 */
import { stateIdentities } from "../src/mirror/state_identity.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertEquals, assertNotEquals } from "./assert.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const noEnv = () => undefined;

/** The canonical state identity (JSON) of a download of `s3://bucket/prefix` from `store`. */
async function identityOf(store: { endpoint?: string | undefined }): Promise<string> {
  const identities = await stateIdentities({
    direction: "download",
    sources: ["s3://bucket/prefix"],
    target: "/tmp/mirror-target",
    sourcePrefix: undefined,
    storePrefix: "",
    targetPrefix: "",
    storeEndpoints: [store.endpoint],
  });
  return JSON.stringify(identities.canonical);
}

/** A store of `s3://bucket/prefix` in `region`; `fips`: `AWS_USE_FIPS_ENDPOINT=true`. */
function store(region: string, extra: { endpoint?: string; fips?: boolean } = {}) {
  const env = extra.fips
    ? (name: string) => name === "AWS_USE_FIPS_ENDPOINT" ? "true" : undefined
    : noEnv;
  return new S3Store({
    bucket: "bucket",
    prefix: "prefix",
    region,
    credentials,
    env,
    ...(extra.endpoint === undefined ? {} : { endpoint: extra.endpoint }),
  });
}

for (
  const [region, endpoint] of [
    ["us-gov-west-1", "https://s3.us-gov-west-1.amazonaws.com"],
    ["us-gov-east-1", "https://s3.us-gov-east-1.amazonaws.com"],
    ["cn-north-1", "https://s3.cn-north-1.amazonaws.com.cn"],
    ["cn-northwest-1", "https://s3.cn-northwest-1.amazonaws.com.cn"],
  ] as const
) {
  Deno.test(`mirror state: region ${region} with no endpoint is ${endpoint}'s identity, not commercial AWS's`, async () => {
    await using implicit = store(region);
    await using spelled = store(region, { endpoint });
    await using commercial = store("us-east-1");
    assertEquals(implicit.endpoint, endpoint);
    assertEquals(await identityOf(implicit), await identityOf(spelled));
    assertNotEquals(await identityOf(implicit), await identityOf(commercial));
  });
}

Deno.test("mirror state: commercial regions with no endpoint keep the identity of no endpoint", async () => {
  await using none = store("us-east-1");
  assertEquals(none.endpoint, undefined);
  for (const region of ["eu-west-1", "ap-southeast-2"]) {
    await using other = store(region);
    assertEquals(other.endpoint, undefined, region);
    assertEquals(await identityOf(other), await identityOf(none), region);
  }
  await using fips = store("us-east-1", { fips: true });
  assertEquals(await identityOf(fips), await identityOf(none));
});

Deno.test("mirror state: GovCloud's FIPS endpoint, chosen with no endpoint, is the one requests go to", async () => {
  await using fips = store("us-gov-west-1", { fips: true });
  assertEquals(fips.endpoint, "https://s3-fips.us-gov-west-1.amazonaws.com");
});
