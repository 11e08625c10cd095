/**
 * A word given where a command takes none (or one URI) is answered with the
 * command line to use instead. `vc prefill versioned_assets.json` was told
 * `--list versioned_assets.json`, which then failed as a manifest given to
 * --list, and `vc prefill s3://b/k` was told `--list s3://b/k`, which is
 * refused as a URI where a local path goes: the hint led to a second error.
 * `vc cache get URI URI` said only `unexpected argument`.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("vc prefill with a manifest as its argument names --manifest, not --list", async () => {
  const r = await vc("prefill", "versioned_assets.json");
  assertFailure(r, 2, 'unexpected argument "versioned_assets.json"');
  assertStringIncludes(r.stderr, "--manifest versioned_assets.json");
  assert(!r.stderr.includes("--list versioned_assets.json"), r.stderr);
});

Deno.test("vc prefill with URIs as arguments names a list on standard input", async () => {
  const r = await vc("prefill", "s3://my-bucket/a.csv", "file:///srv/b c.bin");
  assertFailure(r, 2, "unexpected arguments");
  assertStringIncludes(
    r.stderr,
    "printf '%s\\n' s3://my-bucket/a.csv 'file:///srv/b c.bin' | vc prefill --list -",
  );
  assert(!r.stderr.includes("--list s3://"), r.stderr);
});

Deno.test("vc prefill with items, a manifest and a list file names one command for them all", async () => {
  const r = await vc("prefill", "/foo/bar.csv@1.0.0", "m.json", "ci/list.txt", "s3://b/k");
  assertFailure(r, 2, "unexpected arguments");
  assertStringIncludes(
    r.stderr,
    "printf '%s\\n' /foo/bar.csv@1.0.0 s3://b/k | vc prefill --list - --manifest m.json --list ci/list.txt",
  );
});

Deno.test("vc cache get with several URIs says it takes one and names vc prefill", async () => {
  const r = await vc("cache", "get", "s3://my-bucket/a.csv", "s3://my-bucket/b.csv");
  assertFailure(r, 2, 'cache get: unexpected argument "s3://my-bucket/b.csv"');
  assertStringIncludes(r.stderr, "cache get takes one URI");
  assertStringIncludes(
    r.stderr,
    "printf '%s\\n' s3://my-bucket/a.csv s3://my-bucket/b.csv | vc prefill --list -",
  );
});

Deno.test("--json carries the hint for several URIs to vc cache get", async () => {
  const r = await vc("cache", "get", "s3://my-bucket/a.csv", "s3://my-bucket/b.csv", "--json");
  const doc = JSON.parse(r.stdout);
  assert(doc.error.exitCode === 2, r.stdout);
  assertStringIncludes(doc.error.hint, "| vc prefill --list -");
});

Deno.test("vc cache prune with a size or a duration as its argument names --max-size or --older-than", async () => {
  const size = await vc("cache", "prune", "10GB");
  assertFailure(size, 2, 'cache prune: unexpected argument "10GB"');
  assertStringIncludes(size.stderr, "vc cache prune --max-size 10GB");
  const age = await vc("cache", "prune", "30d", "--dry-run");
  assertStringIncludes(age.stderr, "vc cache prune --older-than 30d");
  const both = await vc("cache", "prune", "30d", "5GiB");
  assertStringIncludes(both.stderr, "vc cache prune --older-than 30d --max-size 5GiB");
});
