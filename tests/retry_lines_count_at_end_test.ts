/**
 * The CLI says at most one retry line every 10 s, counting the retries it
 * did not show in the next one. A run that ended within those 10 s never
 * printed that next line: a `vc prefill` of 2,000 objects from a store
 * failing 5% of its GETs retried 113 of them and its log said one
 * `trying again`, as if one request had failed once. The count of the
 * retries not shown is now said when the command ends.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { retryLines } from "../src/cli/retry_lines.ts";
import { assert, assertEquals } from "./assert.ts";
import { type CliResult, CliWorkspace, withProcessEnv } from "./cli_harness.ts";

const retry = {
  reason: "GET s3://b/k: 500 InternalError",
  error: undefined,
  attempt: 1,
  maxAttempts: 5,
  delayMs: 20,
};

Deno.test("retry lines: finish says the retries not shown since the last line, and how many in all", () => {
  const lines: string[] = [];
  const onRetry = retryLines((line) => lines.push(line), () => 0);
  for (let i = 0; i < 4; i++) onRetry(retry);
  onRetry.finish();
  assertEquals(lines, [
    "GET s3://b/k: 500 InternalError; trying again (2/5) in 20 ms",
    "... and 3 more retries not shown (4 in all)",
  ]);
});

Deno.test("retry lines: finish says nothing when every retry was shown, or none happened", () => {
  const lines: string[] = [];
  let now = 0;
  const onRetry = retryLines((line) => lines.push(line), () => now);
  onRetry.finish();
  onRetry(retry);
  now = 60_000;
  onRetry(retry);
  onRetry.finish();
  assertEquals(lines.length, 2, lines.join("\n"));
});

Deno.test("vc prefill: retries past the first line are counted at the end of a short run", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  const uris: string[] = [];
  for (let i = 0; i < 12; i++) {
    await fake.putObject("b", `k${i}`, `v${i}`);
    uris.push(`s3://b/k${i}`);
  }
  const list = await ws.write("assets.txt", uris.join("\n") + "\n");
  // The first 12 GETs fail: 12 retries, each of which succeeds.
  fake.failNext(12, "internal", (t) => t.op === "GetObject");
  let got!: CliResult;
  await withProcessEnv(fake.env, async () => {
    got = await ws.run(["prefill", "--list", list], fake.env);
  });
  assertEquals(got.code, 0, got.stderr);
  const lines = got.stderr.trimEnd().split("\n");
  assertEquals(lines.filter((l) => l.includes("trying again")).length, 1, got.stderr);
  assert(lines.includes("vc: warning: ... and 11 more retries not shown (12 in all)"), got.stderr);
});
