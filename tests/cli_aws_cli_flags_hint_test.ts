/**
 * The aws CLI's own flags for the store (`--profile`, `--region`,
 * `--endpoint-url`, `--ca-bundle`), typed on a vc command as on
 * `aws s3 cp`, were refused as unknown with no way out: nothing said that vc
 * reads each from its AWS variable. The usage error now names it, with the
 * value given (`AWS_PROFILE=lab vc cache get …`).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const CASES: [flag: string, variable: string][] = [
  ["--profile", "AWS_PROFILE"],
  ["--region", "AWS_REGION"],
  ["--endpoint-url", "AWS_ENDPOINT_URL"],
  ["--endpoint", "AWS_ENDPOINT_URL"],
  ["--ca-bundle", "AWS_CA_BUNDLE"],
];

for (const [flag, variable] of CASES) {
  Deno.test(`vc cache get ${flag} names ${variable}`, async () => {
    await using ws = await CliWorkspace.create();
    const r = await ws.run(["cache", "get", "s3://b/k", `${flag}=lab`]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `unknown flag ${flag} for "cache get"`);
    assertStringIncludes(r.stderr, `${variable}=lab vc cache get`);
  });
}

Deno.test("vc config --profile NAME names AWS_PROFILE", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--profile", "lab"]);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, "AWS_PROFILE=NAME vc config");
});

// `--endpoint-url http://…` (its value apart, as the aws CLI's examples
// write it) was answered `AWS_ENDPOINT_URL=NAME vc …`: a placeholder of
// what each variable holds.
const PLACEHOLDERS: [flag: string, shown: string][] = [
  ["--region", "AWS_REGION=REGION vc cache get"],
  ["--endpoint-url", "AWS_ENDPOINT_URL=URL vc cache get"],
  ["--endpoint", "AWS_ENDPOINT_URL=URL vc cache get"],
  ["--ca-bundle", "AWS_CA_BUNDLE=FILE vc cache get"],
];
for (const [flag, shown] of PLACEHOLDERS) {
  Deno.test(`vc cache get ${flag} VALUE shows ${shown.split(" ")[0]}`, async () => {
    await using ws = await CliWorkspace.create();
    const r = await ws.run(["cache", "get", "s3://b/k", flag, "x"]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, shown);
  });
}

// `aws s3 sync --exclude '*' --include '*.csv'` (rclone's --include too): the
// guess by spelling was --exclude, which leaves out the very keys the user
// meant to keep. vc's word for the keys to keep is --filter.
Deno.test("vc mirror --include (aws s3 sync's) names --filter, never --exclude", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a");
  const r = await ws.run(["mirror", `${ws.dir}/src`, ws.bucket, "--include", "*.csv"]);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, `unknown flag --include for "mirror"`);
  assertStringIncludes(r.stderr, "did you mean --filter?");
  assertStringIncludes(r.stderr, "--filter '\\.csv$'");
  assertEquals(r.stderr.includes("--exclude?"), false, r.stderr);
});

// aws s3 sync's switches that vc has no flag of: refused with what vc does
// instead, where before the refusal said nothing (`--only-show-errors` in a
// CI script moved to vc).
const SWITCHES: [args: string[], says: string][] = [
  [["mirror", "SRC", "DST", "--only-show-errors"], "did you mean --quiet?"],
  [["prefill", "--no-progress"], "did you mean --quiet?"],
  [["mirror", "SRC", "DST", "--recursive"], "vc mirror always takes the whole tree"],
  [["mirror", "SRC", "DST", "--size-only"], "compares each file's content (its MD5)"],
  [["mirror", "SRC", "DST", "--exact-timestamps"], "compares each file's content (its MD5)"],
];

for (const [args, says] of SWITCHES) {
  Deno.test(`vc ${args.join(" ")} (aws s3 sync's switch) says ${JSON.stringify(says)}`, async () => {
    await using ws = await CliWorkspace.create();
    const r = await ws.run(args);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `unknown flag ${args.at(-1)}`);
    assertStringIncludes(r.stderr, says);
  });
}

Deno.test("vc cache get --recursive is not answered with vc mirror's hint", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["cache", "get", "s3://b/k", "--recursive"]);
  assertEquals(r.code, 2, r.stderr);
  assertEquals(r.stderr.includes("vc mirror always"), false, r.stderr);
});
