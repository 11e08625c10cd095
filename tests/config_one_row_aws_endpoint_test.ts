/**
 * `vc config NAME` prints one setting's value alone, for a script
 * (`endpoint=$(vc config s3Endpoint)`). With no endpoint configured, requests
 * go to AWS's endpoint of the region, but `vc config s3Endpoint` printed the
 * table's prose, `AWS (by region)`, which `aws --endpoint-url "$endpoint"` or
 * `curl "$endpoint"` then took for a URL. It now prints the endpoint vc sends
 * requests to (`https://s3.eu-west-1.amazonaws.com`); the table and the
 * `--json` row keep saying where it came from.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc config s3Endpoint prints AWS's endpoint of the region when none is configured", async () => {
  await using ws = await CliWorkspace.create();
  const plain = await ws.run(["config", "s3Endpoint"], { AWS_REGION: "eu-west-1" });
  assertEquals([plain.code, plain.stdout], [0, "https://s3.eu-west-1.amazonaws.com\n"]);
  const fips = await ws.run(["config", "s3Endpoint"], {
    AWS_REGION: "eu-west-1",
    AWS_USE_FIPS_ENDPOINT: "true",
  });
  assertEquals(fips.stdout, "https://s3-fips.eu-west-1.amazonaws.com\n");
  // A configured endpoint is printed as it is.
  const own = await ws.run(["config", "s3Endpoint"], { AWS_ENDPOINT_URL: "http://127.0.0.1:9000" });
  assertEquals(own.stdout, "http://127.0.0.1:9000\n");
  // The table and the --json row still say AWS, and where that came from.
  const row = await ws.run(["config", "s3Endpoint", "--json"], { AWS_REGION: "eu-west-1" });
  assertEquals(row.json(), { name: "s3Endpoint", value: "AWS (by region)", source: "default" });
  const table = await ws.run(["config"], { AWS_REGION: "eu-west-1" });
  assertEquals(/^s3Endpoint +AWS \(by region\) +default$/m.test(table.stdout), true, table.stdout);
});
