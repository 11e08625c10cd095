/**
 * A CI job's `env:` with a mistyped vc variable (`VC_CACHEDIR`, or
 * `VC_LOCK_FILE` for `VC_LOCK`) was ignored by `vc prefill` without a word:
 * the cache went to the default directory (the CI cache step then kept an
 * empty one), or the downloads went unchecked against the lock file meant.
 * Only `vc config` said so. `vc prefill`, the command CI runs, now warns of
 * each, as `vc config` does, and goes on.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli prefill: a misspelled vc variable is warned of, and the run goes on", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/x.bin", "x");
  await ws.write("list.txt", `${ws.bucket}/x.bin\n`);
  const r = await ws.run(["prefill", "--list", "list.txt"], {
    VC_CACHEDIR: ws.path("other-cache"),
    VC_LOCK_FILE: ws.path("ci.lock.json"),
  });
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(
    r.stderr,
    "vc: warning: VC_CACHEDIR is set, but vc reads no such variable: did you mean VC_CACHE_DIR?",
  );
  assertStringIncludes(
    r.stderr,
    "vc: warning: VC_LOCK_FILE is set, but vc reads no such variable: did you mean VC_LOCK?",
  );
  assertStringIncludes(r.stdout, "1 fetched");
});

Deno.test("cli prefill: with its variables spelled right, nothing is said", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/x.bin", "x");
  await ws.write("list.txt", `${ws.bucket}/x.bin\n`);
  const r = await ws.run(["prefill", "--list", "list.txt"]);
  assertEquals([r.code, r.stderr], [0, ""]);
  assert(r.stdout.includes("1 fetched"), r.stdout);
});

Deno.test("cli prefill: another tool's name for the concurrency variable names VC_CONCURRENCY", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/x.bin", "x");
  await ws.write("list.txt", `${ws.bucket}/x.bin\n`);
  for (const name of ["VC_JOBS", "VC_PREFILL_CONCURRENCY"]) {
    const r = await ws.run(["prefill", "--list", "list.txt"], { [name]: "4" });
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(
      r.stderr,
      `vc: warning: ${name} is set, but vc reads no such variable: did you mean VC_CONCURRENCY?`,
    );
  }
  // The variable itself is read, not warned of.
  const r = await ws.run(["prefill", "--list", "list.txt"], { VC_CONCURRENCY: "4" });
  assertEquals([r.code, r.stderr], [0, ""]);
});
