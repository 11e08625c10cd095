/**
 * `vc config`'s `s3Endpoint` row said `default` for every AWS endpoint: also
 * for the FIPS or dual-stack one that `AWS_USE_FIPS_ENDPOINT=true` (or the
 * profile's `use_fips_endpoint`) chose, and when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
 * `ignore_configured_endpoint_urls`) had an `AWS_ENDPOINT_URL` or a
 * profile's `endpoint_url` ignored: the row that is run to find out why
 * requests go to AWS named nothing. It now names the setting.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

type Row = { name: string; value: unknown; source: string };

async function endpointRow(ws: CliWorkspace, env: Record<string, string>): Promise<Row> {
  const r = await ws.run(["config", "--json"], { AWS_REGION: "eu-west-1", ...env });
  assertEquals(r.code, 0, r.stderr);
  return r.json<Row[]>().find((row) => row.name === "s3Endpoint")!;
}

Deno.test("s3Endpoint names AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT", async () => {
  await using ws = await CliWorkspace.create();
  assertEquals(await endpointRow(ws, { AWS_USE_FIPS_ENDPOINT: "true" }), {
    name: "s3Endpoint",
    value: "AWS (by region): https://s3-fips.eu-west-1.amazonaws.com",
    source: "env AWS_USE_FIPS_ENDPOINT",
  });
  const both = await endpointRow(ws, {
    AWS_USE_FIPS_ENDPOINT: "true",
    AWS_USE_DUALSTACK_ENDPOINT: "true",
  });
  assertEquals(both.source, "env AWS_USE_FIPS_ENDPOINT, env AWS_USE_DUALSTACK_ENDPOINT");
  assertEquals((await endpointRow(ws, {})).source, "default");
});

Deno.test("s3Endpoint names the profile's use_dualstack_endpoint with its line", async () => {
  await using ws = await CliWorkspace.create();
  const config = await ws.write("aws/config", "[profile p]\nuse_dualstack_endpoint = true\n");
  const row = await endpointRow(ws, {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(ws.dir, "aws", "none"),
    AWS_PROFILE: "p",
  });
  assertEquals(row.value, "AWS (by region): https://s3.dualstack.eu-west-1.amazonaws.com");
  assertEquals(row.source, `use_dualstack_endpoint of AWS profile "p" in ${config}:2`);
});

Deno.test("s3Endpoint says which endpoint AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores", async () => {
  await using ws = await CliWorkspace.create();
  const row = await endpointRow(ws, {
    AWS_ENDPOINT_URL: "http://127.0.0.1:9000",
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
  });
  assertEquals(row, {
    name: "s3Endpoint",
    value: "AWS (by region)",
    source: "default (env AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores AWS_ENDPOINT_URL)",
  });
  const config = await ws.write(
    "aws/config",
    "[profile p]\nendpoint_url = http://127.0.0.1:9000\nignore_configured_endpoint_urls = true\n",
  );
  const fromProfile = await endpointRow(ws, {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(ws.dir, "aws", "none"),
    AWS_PROFILE: "p",
  });
  assertEquals(
    fromProfile.source,
    `default (ignore_configured_endpoint_urls of AWS profile "p" in ${config}:3 ignores ` +
      `endpoint_url of AWS profile "p" in ${config}:2)`,
  );
});
