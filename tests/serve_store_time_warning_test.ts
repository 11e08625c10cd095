/**
 * What `vc serve` and `vc serve expire` say about the store's time. Expiry
 * checks this machine's clock against the store's (S3's `Date`, a probe
 * file's mtime); a store that tells none (a proxy that drops or garbles
 * `Date`, a directory that takes no write) left expiry to this clock alone
 * without a word, and a clock days behind the store's was not said either.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { Entries } from "../src/server/entries.ts";
import { testAwsEnv, withWorkspace } from "./cli_process.ts";
import { s3WithDate } from "./s3_date_proxy.ts";
import { spawnServe } from "./serve_process.ts";
import { join } from "node:path";
import { addToken } from "../src/server/auth.ts";

const DAY = 86_400_000;
const OWNER = "token-file:alice";

async function expiredPlaceholder(endpoint: string): Promise<void> {
  await using store = new S3Store({
    bucket: "cache",
    prefix: "svc",
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  // Reserved 8 days ago by this machine's clock: expired.
  await new Entries(store, { clock: new ManualClock(Date.now() - 8 * DAY) })
    .reserve("b".repeat(128), OWNER);
}

Deno.test("vc serve expire warns that a store which tells no time leaves expiry to this clock alone, and expires", async () => {
  await using s3 = await s3WithDate(() => "garbage");
  await expiredPlaceholder(s3.url); // written by a clock 8 days behind, unchecked
  await withWorkspace(async (_dir, vc) => {
    const run = await vc(["serve", "expire", "--store", "s3://cache/svc"], testAwsEnv(s3.url));
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stderr, "tells no time");
    assertStringIncludes(run.stderr, "expiry goes by this machine's clock alone");
    assertStringIncludes(run.stdout + run.stderr, "removed 1 expired");
  });
});

Deno.test("vc serve expire on a machine 31 days behind the store's clock says so", async () => {
  await using s3 = await s3WithDate(() => new Date(Date.now() + 31 * DAY).toUTCString());
  await withWorkspace(async (_dir, vc) => {
    const run = await vc(["serve", "expire", "--store", "s3://cache/svc"], testAwsEnv(s3.url));
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stderr, "31 days behind");
    assertStringIncludes(run.stderr, "dated by the store's time");
  });
});

async function startUpWarnings(date: () => string): Promise<string> {
  await using s3 = await s3WithDate(date);
  let stderr: Promise<string> = Promise.resolve("");
  await withWorkspace(async (dir) => {
    const tokens = join(dir, "tokens.json");
    await addToken(tokens, "alice");
    const args = ["serve", "--store", "s3://cache/svc", "--token-file", tokens];
    {
      await using served = await spawnServe(dir, args, 60_000, testAwsEnv(s3.url));
      stderr = served.stderr;
    }
    await stderr;
  });
  return await stderr;
}

Deno.test("vc serve warns at start-up that its store tells no time", async () => {
  assertStringIncludes(await startUpWarnings(() => "garbage"), "tells no time");
});

Deno.test("vc serve warns at start-up that its clock runs 31 days ahead of the store's", async () => {
  const stderr = await startUpWarnings(() => new Date(Date.now() - 31 * DAY).toUTCString());
  assertStringIncludes(stderr, "31 days ahead; nothing is removed for its age");
});
