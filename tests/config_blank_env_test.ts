/**
 * A blank vc variable (only spaces or a tab: `VC_LOCK_WAIT: " "` in a CI
 * file, `VC_REQUEST_TIMEOUT=${TIMEOUT# }` gone wrong) was taken for an unset
 * one by five of them: `VC_LOCK_WAIT`, `VC_REVALIDATE_TIMEOUT`,
 * `VC_REQUEST_TIMEOUT`, `VC_S3_PATH_STYLE` and `VC_S3_ANONYMOUS` silently
 * fell back to their defaults (`vc config` said `default`), while
 * `VC_CACHE_TIMEOUT`, `VC_OFFLINE`, `VC_FROZEN`, `VC_CACHE_DIR` and the rest
 * refused the same value naming the variable, as the README says a blank
 * variable is. Now all of them refuse it; an empty one (`VC_LOCK_WAIT=`)
 * still means unset. The revalidation wait's error no longer calls it a
 * request timeout. And the CLI's cache read those two from Deno.env, not
 * the command's environment (`runCli`'s CliIo), which `vc config` shows.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { parseLockWait, parseRevalidateTimeout } from "../src/cache/cache_errors.ts";
import { parseBooleanEnv, requestTimeoutFromEnv } from "../src/store/s3_config.ts";

type Row = { name: string; value: unknown; source: string; error?: string };

const BASE = { VC_BUCKET: "s3://team-assets", AWS_REGION: "eu-west-1" };

const CASES: [variable: string, row: string, fallback: unknown][] = [
  ["VC_LOCK_WAIT", "lockWait", 60],
  ["VC_REVALIDATE_TIMEOUT", "revalidateTimeout", 5],
  ["VC_ON_UNREACHABLE", "onUnreachable", "warn"],
  ["VC_REQUEST_TIMEOUT", "requestTimeout", 60],
  ["VC_S3_PATH_STYLE", "s3PathStyle", false],
  ["VC_S3_ANONYMOUS", "s3Anonymous", false],
];

for (const [variable, rowName, fallback] of CASES) {
  for (const blank of [" ", "\t"]) {
    Deno.test(`vc config with ${variable}=${JSON.stringify(blank)}: the ${rowName} row names the error, exit 1`, async () => {
      await using ws = await CliWorkspace.create();
      const r = await ws.run(["config", "--json"], { ...BASE, [variable]: blank });
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, variable);
      const rows = JSON.parse(r.stdout) as Row[];
      const row = rows.find((x) => x.name === rowName);
      assertEquals(row?.value, null, JSON.stringify(row));
      assertStringIncludes(row?.error ?? "", variable);
      assertEquals(rows.filter((x) => x.error !== undefined).map((x) => x.name), [rowName]);
    });
  }

  Deno.test(`vc config with ${variable} empty: still unset, the default`, async () => {
    await using ws = await CliWorkspace.create();
    const r = await ws.run(["config", "--json"], { ...BASE, [variable]: "" });
    assertEquals(r.code, 0, r.stderr);
    const row = (JSON.parse(r.stdout) as Row[]).find((x) => x.name === rowName);
    assertEquals(row?.value, fallback);
    assertEquals(row?.source.startsWith("default"), true, row?.source);
  });
}

Deno.test("a blank VC_LOCK_WAIT or VC_REVALIDATE_TIMEOUT fails vc path, the hot path too", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", JSON.stringify({ "/a.txt": "1.0.0" }));
  await ws.write("bucket/a.1.0.0.txt", "hello\n");
  // Cached and fresh: the hot path would serve it without making a cache.
  assertEquals((await ws.run(["path", "/a.txt"], { VC_BUCKET: ws.bucket })).code, 0);
  for (const variable of ["VC_LOCK_WAIT", "VC_REVALIDATE_TIMEOUT", "VC_ON_UNREACHABLE"]) {
    const r = await ws.run(["path", "/a.txt"], { VC_BUCKET: ws.bucket, [variable]: " " });
    assertFailure(r, 1, variable);
  }
});

Deno.test("the CLI's cache reads VC_LOCK_WAIT and VC_REVALIDATE_TIMEOUT from the command's environment, not Deno.env", async () => {
  // runCli's CliIo environment is the one `vc config` shows; the cache read
  // Deno.env for these two, so an embedder's (and this harness's) values
  // never reached it: a malformed one passed, a set one did nothing.
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", JSON.stringify({ "/a.txt": "1.0.0" }));
  await ws.write("bucket/a.1.0.0.txt", "hello\n");
  assertEquals((await ws.run(["path", "/a.txt"], { VC_BUCKET: ws.bucket })).code, 0);
  for (const variable of ["VC_LOCK_WAIT", "VC_REVALIDATE_TIMEOUT", "VC_ON_UNREACHABLE"]) {
    assertEquals(Deno.env.get(variable), undefined);
    const r = await ws.run(["path", "/a.txt"], { VC_BUCKET: ws.bucket, [variable]: "abc" });
    assertFailure(r, 1, variable, "abc");
  }
});

Deno.test("the parsers refuse a blank value naming the variable, and take an empty one for unset", () => {
  const refused = (f: () => unknown, variable: string) => {
    let message = "";
    try {
      f();
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, variable);
  };
  refused(() => parseLockWait(" "), "VC_LOCK_WAIT");
  refused(() => parseRevalidateTimeout(" "), "VC_REVALIDATE_TIMEOUT");
  refused(() => requestTimeoutFromEnv(() => " "), "VC_REQUEST_TIMEOUT");
  refused(() => parseBooleanEnv("VC_S3_PATH_STYLE", " "), "VC_S3_PATH_STYLE");
  assertEquals(parseLockWait(""), 60);
  assertEquals(parseRevalidateTimeout(""), 5);
  assertEquals(requestTimeoutFromEnv(() => ""), 60_000);
  assertEquals(parseBooleanEnv("VC_S3_PATH_STYLE", ""), undefined);
  // An AWS_* boolean blank too, as the AWS SDK refuses it (anything but
  // `true` or `false`); aws_blank_env_refused_test.ts has the other AWS_* ones.
  refused(() => parseBooleanEnv("AWS_USE_FIPS_ENDPOINT", " "), "AWS_USE_FIPS_ENDPOINT");
  assertEquals(parseBooleanEnv("AWS_USE_FIPS_ENDPOINT", ""), undefined);
});

Deno.test("the revalidation wait's error names it, not a request timeout", () => {
  let message = "";
  try {
    parseRevalidateTimeout("soon");
  } catch (e) {
    message = (e as Error).message;
  }
  assertStringIncludes(message, "VC_REVALIDATE_TIMEOUT");
  assertEquals(message.includes("request timeout"), false, message);
});
