/**
 * With no endpoint configured, vc's own S3 requests go to the host the AWS
 * SDK resolves for the region, in every partition: the ISO regions'
 * (`us-iso-` → `c2s.ic.gov`, `us-isob-` → `sc2s.sgov.gov`, `eu-isoe-` →
 * `cloud.adc-e.uk`, `us-isof-` → `csp.hci.ic.gov`) and the European
 * Sovereign Cloud's (`amazonaws.eu`) went to `amazonaws.com`, a host
 * that is not theirs, while the SDK's requests went to theirs. A mirror's
 * state identity there is that partition's endpoint, never commercial AWS's.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { awsEndpoint } from "../src/store/s3_config.ts";
import { S3Store } from "../src/store/s3.ts";
import { endpointIdentity } from "../src/mirror/state_identity.ts";
import { runVc } from "./cli_process.ts";
import { startAuthProxy } from "./auth_proxy.ts";
import { assert, assertEquals } from "./assert.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** The endpoint (origin) the AWS SDK resolves for `region`. */
async function sdkEndpoint(region: string, fips: boolean, dualstack: boolean): Promise<string> {
  const client = new S3Client({
    region,
    credentials,
    useFipsEndpoint: fips,
    useDualstackEndpoint: dualstack,
  });
  try {
    const params = {
      Region: region,
      UseFIPS: fips,
      UseDualStack: dualstack,
      ForcePathStyle: true,
      Bucket: "b",
    };
    // deno-lint-ignore no-explicit-any
    const resolved = await client.config.endpointProvider(params as any, {});
    return resolved.url.origin;
  } finally {
    client.destroy();
  }
}

/** Each region: whether it is commercial AWS's, and the FIPS settings the SDK has endpoints for. */
const REGIONS: readonly [string, boolean, boolean[]][] = [
  ["us-east-1", true, [false, true]],
  ["eu-west-1", true, [false, true]],
  ["us-gov-west-1", false, [false, true]],
  ["cn-north-1", false, [false]], // AWS China has no FIPS endpoints
  ["us-iso-east-1", false, [false, true]],
  ["us-isob-east-1", false, [false, true]],
  ["eu-isoe-west-1", false, [false, true]],
  ["us-isof-south-1", false, [false, true]],
  ["eusc-de-east-1", false, [false, true]],
];

for (const [region, commercial, fipsForms] of REGIONS) {
  Deno.test(`aws partition: ${region}'s request host and mirror identity are the SDK's`, async () => {
    for (const fips of fipsForms) {
      for (const dualstack of [false, true]) {
        const sdk = await sdkEndpoint(region, fips, dualstack);
        const form = `${region} fips=${fips} dualstack=${dualstack}`;
        const settings = { useFipsEndpoint: fips, useDualstackEndpoint: dualstack };
        assertEquals(awsEndpoint(settings, region), sdk, form);
        const env = (name: string) =>
          name === "AWS_USE_FIPS_ENDPOINT"
            ? String(fips)
            : name === "AWS_USE_DUALSTACK_ENDPOINT"
            ? String(dualstack)
            : undefined;
        await using store = new S3Store({ bucket: "b", region, credentials, env });
        assertEquals(store.endpoint, commercial ? undefined : sdk, form);
        assertEquals(endpointIdentity(store.endpoint), commercial ? undefined : sdk, form);
        // Spelled out, the partition's endpoint is the same identity.
        assertEquals(endpointIdentity(sdk), commercial ? undefined : sdk, form);
      }
    }
  });
}

Deno.test("aws partition: an ISO region's request is sent to its partition's host (the CONNECT a proxy sees)", async () => {
  const log: string[] = [];
  await using proxy = startAuthProxy(log);
  const { code, stderr } = await runVc(["cache", "get", "s3://bucket/k.txt"], {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-iso-east-1",
    HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
  });
  assertEquals(code, 1, stderr);
  assert(log.length > 0, "no request reached the proxy");
  for (const line of log) {
    assertEquals(line, "CONNECT bucket.s3.us-iso-east-1.c2s.ic.gov:443 HTTP/1.1");
  }
});
