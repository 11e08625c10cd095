/**
 * `vc config` with a malformed environment setting (`VC_CACHE_TIMEOUT=abc`,
 * `VC_LOCK_WAIT=soon`, `VC_FROZEN=maybe`, a bad `AWS_ENDPOINT_URL`, ...)
 * printed only that error, no table, while a broken settings file or an
 * unresolvable cacheDir got the full table with an `error:` row: `vc config`
 * is what a user runs to find out what is wrong. Every such variable now
 * gets its row marked with the error, the other rows resolve, the command
 * still exits 1 naming the variable on stderr, and every other command
 * still fails on it.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

type Row = { name: string; value: unknown; source: string; error?: string };

const BASE = { VC_BUCKET: "s3://team-assets", AWS_REGION: "eu-west-1" };

// Each malformed variable, and the row that must name it.
const CASES: [variable: string, value: string, row: string][] = [
  ["VC_CACHE_TIMEOUT", "abc", "timeout"],
  ["VC_OFFLINE", "maybe", "offline"],
  ["VC_IMMUTABLE_BUCKETS", "s3://", "immutableBuckets"],
  ["VC_PARALLEL_THRESHOLD", "lots", "parallelThreshold"],
  ["VC_RANGE_SIZE", "1", "rangeSize"],
  ["VC_LOCK_WAIT", "a minute", "lockWait"],
  ["VC_REVALIDATE_TIMEOUT", "soon", "revalidateTimeout"],
  ["VC_ON_UNREACHABLE", "strict", "onUnreachable"],
  ["VC_REQUEST_TIMEOUT", "x", "requestTimeout"],
  ["VC_FROZEN", "maybe", "frozen"],
  ["VC_S3_PATH_STYLE", "maybe", "s3PathStyle"],
  ["AWS_MAX_ATTEMPTS", "three", "s3MaxAttempts"],
  ["AWS_ENDPOINT_URL", "ftp://x", "s3Endpoint"],
  ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "maybe", "s3Endpoint"],
];

for (const [variable, value, rowName] of CASES) {
  Deno.test(`vc config with ${variable}=${value}: the full table, the ${rowName} row names the error, exit 1`, async () => {
    await using ws = await CliWorkspace.create();
    const env = { ...BASE, [variable]: value };
    const text = await ws.run(["config"], env);
    assertEquals(text.code, 1, text.stderr);
    assertStringIncludes(text.stderr, variable);
    const line = (name: string) =>
      text.stdout.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";
    assertStringIncludes(line("bucket"), "s3://team-assets");
    assertStringIncludes(line("s3Region"), "eu-west-1");
    assertStringIncludes(line(rowName), `error: `);
    assertStringIncludes(line(rowName), variable);

    const json = await ws.run(["config", "--json"], env);
    assertEquals(json.code, 1, json.stderr);
    const rows = JSON.parse(json.stdout) as Row[];
    const row = (name: string) => rows.find((x) => x.name === name);
    assertEquals(row(rowName)?.value, null);
    assertStringIncludes(row(rowName)?.error ?? "", variable);
    assertEquals(row("bucket")?.value, "s3://team-assets");
    // Only the bad variable's row carries an error.
    assertEquals(rows.filter((r) => r.error !== undefined).map((r) => r.name), [rowName]);
  });
}

Deno.test("a malformed environment setting still fails the other commands", async () => {
  await using ws = await CliWorkspace.create();
  for (const [variable, value] of [["VC_CACHE_TIMEOUT", "abc"], ["VC_FROZEN", "maybe"]]) {
    const r = await ws.run(["path", "some/file.txt"], { ...BASE, [variable!]: value! });
    assert(r.code !== 0, `${variable}: exit ${r.code}`);
    assertStringIncludes(r.stderr, variable!);
  }
});

// VC_MANIFEST and VC_LOCK with a `~` and no home to expand it in.
for (const [variable, rowName] of [["VC_MANIFEST", "manifest"], ["VC_LOCK", "lock"]] as const) {
  Deno.test(`vc config with ${variable}=~/… and HOME unset: the ${rowName} row names the error, exit 1`, async () => {
    await using ws = await CliWorkspace.create();
    const env = { ...BASE, HOME: "", VC_CACHE_DIR: ws.path("c"), [variable]: "~/m.json" };
    const r = await ws.run(["config", "--json"], env);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "~/m.json");
    const rows = JSON.parse(r.stdout) as Row[];
    const row = (name: string) => rows.find((x) => x.name === name);
    assertEquals(row(rowName)?.value, null);
    assertStringIncludes(row(rowName)?.error ?? "", "~/m.json");
    assertEquals(row("bucket")?.value, "s3://team-assets");
    assertEquals(row("cacheDir")?.value, ws.path("c"));
  });
}
