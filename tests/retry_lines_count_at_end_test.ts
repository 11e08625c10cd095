/**
 * The CLI says at most one retry line every 10 s, counting the retries it
 * did not show in the next one. A run that ended within those 10 s never
 * printed that next line: a `vc prefill` of 2,000 objects from a store
 * failing 5% of its GETs retried 113 of them and its log said one
 * `trying again`, as if one request had failed once. The count of the
 * retries not shown is now said when the command ends.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { retryLines } from "../src/cli/retry_lines.ts";
import { assert, assertEquals } from "./assert.ts";
import { type CliResult, CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { retryLineAccount } from "./retry_line_account.ts";

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
  const startedAt = Date.now();
  await withProcessEnv(fake.env, async () => {
    got = await ws.run(["prefill", "--list", list], fake.env);
  });
  assertEquals(got.code, 0, got.stderr);
  // All 12 said, the last ones held back in the count line: one retry line
  // on any machine where the run takes under 10 s, more on a slower one.
  const said = retryLineAccount(got.stderr, startedAt);
  assertEquals(said.retries, 12, got.stderr);
  if (said.shown.length === 1) {
    assertEquals(said.notShown, "vc: warning: ... and 11 more retries not shown (12 in all)");
  }
});

Deno.test({
  name: "vc prefill SIGTERM: the retries not shown are counted before the interruption's last line",
  ignore: Deno.build.os === "windows", // no signals to send there
  fn: async () => {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    await s3.putObject("b", "flaky.bin", "flaky");
    for (let i = 0; i < 2; i++) await s3.putObject("b", `slow/${i}.bin`, `slow ${i}`);
    // flaky.bin's first 3 GETs fail (3 retries, 1 shown); the slow objects'
    // answers are held back until the run is stopped.
    s3.failNext(3, "internal", (t) => t.op === "GetObject" && t.key === "flaky.bin");
    const slowAsked = new Set<string>();
    s3.faults = {
      latencyMs: 60_000,
      match: (t) => (t.key ?? "").startsWith("slow/") && slowAsked.add(t.key!) !== undefined,
    };
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-retry-count-int-" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      const list = join(dir, "list.txt");
      await Deno.writeTextFile(list, "s3://b/flaky.bin\ns3://b/slow/0.bin\ns3://b/slow/1.bin\n");
      const env = childEnv(dir, testAwsEnv(s3.url));
      const child = vcCommand(dir, env, ["prefill", "--list", list, "--concurrency", "3"]).spawn();
      for (let i = 0; i < 1200 && (slowAsked.size < 2 || s3.stats.faults < 3); i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      assertEquals([slowAsked.size, s3.stats.faults], [2, 3], "flaky retried, slow asked for");
      // flaky.bin's fourth GET, which succeeds.
      for (let i = 0; i < 400 && (s3.stats.GetObject ?? 0) < 6; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      child.kill("SIGTERM");
      const out = await child.output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 130, stderr);
      const lines = stderr.trimEnd().split("\n");
      assert(lines.at(-1)!.startsWith("vc: prefill interrupted after "), stderr);
      // flaky.bin's 3 retries, all said, the count line (if the last was
      // held back: the 3 came within 10 s on any but a crawling machine)
      // before the last line.
      const said = retryLineAccount(stderr);
      assertEquals(said.retries, 3, stderr);
      if (said.notShown !== undefined) assert(lines.indexOf(said.notShown) < lines.length - 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("vc prefill: with items failed, the retries not shown are counted before the last line", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  const uris: string[] = ["s3://b/missing"];
  for (let i = 0; i < 6; i++) {
    await fake.putObject("b", `k${i}`, `v${i}`);
    uris.push(`s3://b/k${i}`);
  }
  const list = await ws.write("assets.txt", uris.join("\n") + "\n");
  // 6 retries, each of which succeeds; one item is missing.
  fake.failNext(6, "internal", (t) => t.op === "GetObject" && t.key !== "missing");
  let got: CliResult | undefined;
  const startedAt = Date.now();
  await withProcessEnv(fake.env, async () => {
    got = await ws.run(["prefill", "--list", list], fake.env);
  });
  assertEquals(got!.code, 1, got!.stderr);
  const said = retryLineAccount(got!.stderr, startedAt);
  assertEquals(said.retries, 6, got!.stderr);
  // The count of each kind that failed stays the run's last line (the one a
  // CI log's tail shows), as an interrupted run's does.
  const lines = got!.stderr.trimEnd().split("\n");
  assertEquals(lines.at(-1), "vc: 1 of 7 items failed", got!.stderr);
});
