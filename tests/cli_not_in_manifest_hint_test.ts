/**
 * `vc path PATH@VERSION` (the list-file form, on the command line) is not in
 * the manifest; the error says to give the version as its own argument.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

/** A CLI workspace whose manifest has /data/a.csv at 1.0.0 (from src/a.csv). */
async function workspaceWithA(): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  try {
    await ws.write("src/a.csv", "a\n");
    await ws.vc("add", "/data/a.csv", "src/a.csv");
    return ws;
  } catch (e) {
    await ws[Symbol.asyncDispose]();
    throw e;
  }
}

/** `vc prefill --manifest versioned_assets.json --list list.txt`, list.txt holding `lines`. */
async function prefillList(ws: CliWorkspace, lines: string) {
  await ws.write("list.txt", lines);
  return await ws.vc("prefill", "--manifest", "versioned_assets.json", "--list", "list.txt");
}

Deno.test("cli path: PATH@VERSION gets a hint that shows the fix", async () => {
  await using ws = await workspaceWithA();

  const at = await ws.vc("path", "/data/a.csv@1.0.0");
  assertFailure(at, 1, "/data/a.csv@1.0.0 is not in manifest");
  assertStringIncludes(at.stderr, "give the version as its own argument (`/data/a.csv 1.0.0`)");

  // A pre-release is a version: the same hint (it was "not in manifest" alone).
  const rc = await ws.vc("path", "/data/a.csv@2.0.0-rc.1");
  assertFailure(rc, 1, "/data/a.csv@2.0.0-rc.1 is not in manifest");
  assertStringIncludes(
    rc.stderr,
    "give the version as its own argument (`/data/a.csv 2.0.0-rc.1`)",
  );
});

// Build metadata (`@1.0.0+ci.7`, another tool's key) is a version attempt
// that no argument reads: named as no version, saying why.
Deno.test("cli path and prefill: PATH@ a version with build metadata is named as no version", async () => {
  await using ws = await workspaceWithA();

  const at = await ws.vc("path", "/data/a.csv@1.0.0+ci.7");
  assertFailure(at, 1, "1.0.0+ci.7 is not a version of /data/a.csv");
  assertStringIncludes(at.stderr, "no build metadata");
  assert(!at.stderr.includes("own argument"), at.stderr);

  const listed = await prefillList(ws, "/data/a.csv@1.0.0+ci.7\n");
  assertEquals(listed.code, 1, listed.stderr);
  assertStringIncludes(listed.stderr, "1.0.0+ci.7 is not a version of /data/a.csv");
});

// `01.0.0` is no version: neither `vc path PATH 01.0.0` nor a list file's
// `PATH@01.0.0` can read it, so the hint must not tell to give it as an argument.
Deno.test("cli path and prefill: PATH@ a non-version is named as no version", async () => {
  await using ws = await workspaceWithA();

  const at = await ws.vc("path", "/data/a.csv@01.0.0");
  assertFailure(at, 1, "01.0.0 is not a version of /data/a.csv");
  assert(!at.stderr.includes("own argument"), at.stderr);

  const listed = await prefillList(ws, "/data/a.csv@1.0.00\n");
  assertEquals(listed.code, 1, listed.stderr);
  assertStringIncludes(listed.stderr, "1.0.00 is not a version of /data/a.csv");
  assert(!listed.stderr.includes("own argument"), listed.stderr);
});

// A list line with a short version (`@1.0`) or a git tag's (`@v1.0.0`) was
// "not in manifest" and nothing more: CI's log did not say the version was the typo.
Deno.test("prefill and path: PATH@ a short or v-prefixed version is named as no version", async () => {
  await using ws = await workspaceWithA();

  const listed = await prefillList(ws, "/data/a.csv@1.0\n/data/a.csv@v1.0.0\n");
  assertEquals(listed.code, 1, listed.stderr);
  for (const [line, v] of [[1, "1.0"], [2, "v1.0.0"]] as const) {
    assertStringIncludes(
      listed.stderr,
      `list.txt:${line}: /data/a.csv@${v}: /data/a.csv@${v} is not in manifest`,
    );
    assertStringIncludes(
      listed.stderr,
      `${v} is not a version of /data/a.csv: a version is MAJOR.MINOR.PATCH`,
    );
  }
  const at = await ws.vc("path", "/data/a.csv@v1.0.0");
  assertFailure(at, 1, "v1.0.0 is not a version of /data/a.csv");
  // An `@` that is no version attempt stays a path of its own: no such hint.
  const other = await ws.vc("path", "/data/a.csv@2x");
  assertFailure(other, 1, "/data/a.csv@2x is not in manifest");
  assert(!other.stderr.includes("is not a version"), other.stderr);
});

// A key copied from `aws s3 ls` or `vc path-remote` (`/data/a.1.0.0.csv`)
// where the path goes: the error names the path and version it stands for.
Deno.test("cli path, get: a bucket key's name gets a hint naming its path and version", async () => {
  await using ws = await workspaceWithA();

  for (const args of [["path", "/data/a.1.0.0.csv"], ["get", "data/a.1.0.0.csv", "out.csv"]]) {
    const r = await ws.vc(...args);
    assertFailure(r, 1, "/data/a.1.0.0.csv is not in manifest");
    assertStringIncludes(
      r.stderr,
      "it names the bucket key of version 1.0.0 of /data/a.csv: give the path and the version " +
        "as two arguments (`/data/a.csv 1.0.0`)",
    );
  }
  // A path the manifest does not have gets no such hint.
  const other = await ws.vc("path", "/data/b.1.0.0.csv");
  assertFailure(other, 1, "/data/b.1.0.0.csv is not in manifest");
  assert(!other.stderr.includes("bucket key"), other.stderr);
});
