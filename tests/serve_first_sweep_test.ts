/**
 * The background sweep of `vc serve` first ran one whole `--sweep-interval`
 * after the instance started. Instances behind a load balancer that are
 * replaced more often than that (a deploy, an autoscaler, a crash loop)
 * never swept: expired entries, data of crashed uploads and S3 multipart
 * uploads a `kill -9` left open stayed, billed, for good. And instances
 * started together swept in lockstep, each listing the whole store at the
 * same moment every interval. The first sweep now comes at a random moment
 * within the first interval, past the first minute (each instance its own),
 * then every interval.
 */
import { assertEquals } from "./assert.ts";
import { startService, type TestService } from "./server_helpers.ts";

const HOUR = 3_600_000;

const sweeps = (logs: string[]) => logs.filter((l) => l.includes('"event":"sweep"')).length;

/** Lets the service's sweep (which reads the store) run and log. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
}

Deno.test("serve: an instance sweeps within its first interval, at its own moment", async () => {
  const random = Math.random;
  // This instance's moment: past its first minute, a quarter into the rest.
  Math.random = () => 0.25;
  let started: Promise<TestService>;
  try {
    started = startService({ sweepIntervalMs: HOUR });
    await started;
  } finally {
    Math.random = random;
  }
  await using t = await started;
  const first = 60_000 + (HOUR - 60_000) / 4;
  await t.clock.advance(first - 1);
  await settle();
  assertEquals(sweeps(t.logs), 0);
  await t.clock.advance(1);
  await settle();
  // An instance replaced every 59 minutes swept before: never.
  assertEquals(sweeps(t.logs), 1);
  // Then every interval.
  await t.clock.advance(HOUR);
  await settle();
  assertEquals(sweeps(t.logs), 2);
});
