/**
 * `vc sync` ended on its table of copied files and an "N unchanged" line,
 * with no one-line summary of the run as `vc prefill` and `vc mirror` end
 * with: a CI log could not tell at a glance how much a sync copied, left,
 * failed, in how many bytes and seconds. Its text output now ends with
 * `sync: N manifest entries: C copied, U unchanged, F failed; B in S s`,
 * worded as prefill's; `--json` is unchanged, `--quiet` prints none.
 */
import { assertEquals, assertMatch } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const SUMMARY =
  /^sync: (\d+) manifest entr(?:y|ies): (\d+) copied, (\d+) unchanged, (\d+) failed; (.+) in \d+\.\ds$/;

/** The last stdout line, and the counts and bytes it gives. */
function summaryOf(stdout: string) {
  const last = stdout.trimEnd().split("\n").pop() ?? "";
  assertMatch(last, SUMMARY);
  const [, total, copied, unchanged, failed, bytes] = SUMMARY.exec(last)!;
  return { total, copied, unchanged, failed, bytes };
}

Deno.test("vc sync: its text output ends with a one-line summary, as prefill's; --json and --quiet as before", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_BUCKET: ws.bucket };
  await ws.write("a.csv", "a,b\n1,2\n"); // 8 bytes
  await ws.write("b.csv", "c\n"); // 2 bytes
  for (const [path, file] of [["/a.csv", "a.csv"], ["/d/b.csv", "b.csv"]]) {
    const added = await ws.run(["add", path!, file!], env);
    assertEquals(added.code, 0, added.stderr);
  }

  const first = await ws.run(["sync", "out"], env);
  assertEquals(first.code, 0, first.stderr);
  assertEquals(summaryOf(first.stdout), {
    total: "2",
    copied: "2",
    unchanged: "0",
    failed: "0",
    bytes: "10 B",
  });

  const again = await ws.run(["sync", "out"], env);
  assertEquals(again.code, 0, again.stderr);
  assertEquals(summaryOf(again.stdout), {
    total: "2",
    copied: "0",
    unchanged: "2",
    failed: "0",
    bytes: "0 B",
  });

  // A failed entry counts as failed (its error on stderr, exit 1).
  await ws.write("out/a.csv", "edited\n");
  const failed = await ws.run(["sync", "out"], env);
  assertEquals(failed.code, 1, failed.stderr);
  assertEquals(summaryOf(failed.stdout), {
    total: "2",
    copied: "0",
    unchanged: "1",
    failed: "1",
    bytes: "0 B",
  });

  // --json: the report as before, no summary line.
  const json = await ws.run(["sync", "out2", "--json"], env);
  assertEquals(json.code, 0, json.stderr);
  const report = json.json<Record<string, unknown>>();
  assertEquals(Object.keys(report).sort(), [
    "bytes",
    "copied",
    "dest",
    "failed",
    "seconds",
    "total",
    "unchanged",
  ]);
  // --quiet: nothing on stdout.
  const quiet = await ws.run(["sync", "out3", "--quiet"], env);
  assertEquals(quiet.code, 0, quiet.stderr);
  assertEquals(quiet.stdout, "");
});
