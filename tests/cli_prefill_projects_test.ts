/**
 * `vc prefill --manifest a/… --manifest b/…` read one project file, that of
 * the last manifest, and resolved every manifest against its bucket: the
 * entries of a's manifest were looked for in b's bucket (failing, or worse,
 * fetching b's objects of the same name). Each manifest now uses its own
 * project file, as a command run on it alone does; project files that would
 * make the one cache differ (timeout, cacheDir, immutableBuckets) are refused.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc prefill: each manifest resolves against its own project file's bucket", async () => {
  await using ws = await CliWorkspace.create();
  for (const p of ["a", "b"]) {
    await ws.write(`${p}/vc.json`, `{"bucket": "./bucket-${p}"}`);
    await ws.write(`${p}/versioned_assets.json`, `{"/x/${p}.txt": "1.0.0"}`);
    await ws.write(`${p}/bucket-${p}/x/${p}.1.0.0.txt`, `from ${p}\n`);
  }
  const r = await ws.run(
    [
      "prefill",
      "--manifest",
      "a/versioned_assets.json",
      "--manifest",
      "b/versioned_assets.json",
      "--json",
    ],
  );
  assertEquals(r.code, 0, r.stdout + r.stderr);
  const summary = r.json<{ total: number; fetched: number }>();
  assertEquals([summary.total, summary.fetched], [2, 2]);

  // A project file asking the one cache for another timeout is refused, naming both.
  await ws.write("b/vc.json", '{"bucket": "./bucket-b", "timeout": "1h"}');
  const clash = await ws.run(
    ["prefill", "--manifest", "a/versioned_assets.json", "--manifest", "b/versioned_assets.json"],
  );
  assertEquals(clash.code, 2, clash.stderr);
  assertStringIncludes(clash.stderr, "need different timeout settings");
  assertStringIncludes(clash.stderr, `project ${ws.path("b/vc.json")}`);
  // A flag settles it.
  const settled = await ws.run([
    "prefill",
    "--manifest",
    "a/versioned_assets.json",
    "--manifest",
    "b/versioned_assets.json",
    "--timeout",
    "2h",
  ]);
  assertEquals(settled.code, 0, settled.stderr);
});
