/**
 * While vc tries a failing or silent store again, the user is told: a
 * download from a store that accepts connections and never answers was
 * silent for up to 5 × the request timeout (5 minutes by default) before
 * its error, because nothing reported retries. Now each retry of a store
 * request is a warning line on stderr (`…; trying again (2/5) in 120 ms`),
 * never in the `--json` document, none with `--quiet`, and a run where many
 * requests fail at once gets a line per interval with a count, not a line
 * per object. A download resumed after a cut says where it resumes.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { listenToStoreRetries, type StoreRetry } from "../src/store/retry_notice.ts";
import { markGaveUp } from "../src/store/retry.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { type CliResult, CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { silentServer } from "./raw_server.ts";

const retryLines = (stderr: string) =>
  stderr.split("\n").filter((l) => /trying again|resuming at byte/.test(l));

Deno.test("vc cache get: a 503 SlowDown retried is said on stderr, not in --json stdout, not with --quiet", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  await fake.putObject("b", "k", "hello");
  await withProcessEnv(fake.env, async () => {
    fake.failNext(1, "slowdown", (t) => t.op === "GetObject");
    const human = await ws.run(["cache", "get", "s3://b/k"], fake.env);
    assertEquals(human.code, 0, human.stderr);
    const [line, ...more] = retryLines(human.stderr);
    assertEquals(more, []);
    assert(
      /^vc: warning: GET s3:\/\/b\/k failed: 503 SlowDown: .*; trying again \(2\/5\) in \d/.test(
        line!,
      ),
      human.stderr,
    );

    await ws.run(["cache", "rm", "s3://b/k"], fake.env);
    fake.failNext(1, "slowdown", (t) => t.op === "GetObject");
    const json = await ws.run(["cache", "get", "s3://b/k", "--json"], fake.env);
    assertEquals(json.code, 0, json.stderr);
    assert(!json.stdout.includes("trying again"), json.stdout);
    json.json();
    assertEquals(retryLines(json.stderr).length, 1, json.stderr);

    await ws.run(["cache", "rm", "s3://b/k"], fake.env);
    fake.failNext(1, "slowdown", (t) => t.op === "GetObject");
    const quiet = await ws.run(["cache", "get", "s3://b/k", "--quiet"], fake.env);
    assertEquals([quiet.code, quiet.stderr], [0, ""]);
  });
});

Deno.test("vc cache get: a store that accepts and never answers says each timed-out attempt before giving up", async () => {
  await using server = silentServer();
  await using ws = await CliWorkspace.create();
  const env = {
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "2",
    VC_REQUEST_TIMEOUT: "1",
  };
  let got!: CliResult;
  await withProcessEnv(env, async () => {
    got = await ws.run(["cache", "get", "s3://b/k"], env);
  });
  assertEquals(got.code, 1, got.stderr);
  const lines = retryLines(got.stderr);
  assertEquals(lines.length, 1, got.stderr);
  assertStringIncludes(
    lines[0]!,
    `GET s3://b/k: timed out after 1 s waiting for a response from ${env.AWS_ENDPOINT_URL}; trying again (2/2) in `,
  );
  // The hint to change the timeout is the final error's, not every line's.
  assert(!lines[0]!.includes("VC_REQUEST_TIMEOUT"), lines[0]);
  assertStringIncludes(got.stderr, "(gave up after 2 attempts");
});

Deno.test("vc prefill: many objects failing at once get a line per interval, not a line per object", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  const uris: string[] = [];
  for (let i = 0; i < 12; i++) {
    await fake.putObject("b", `k${i}`, `v${i}`);
    uris.push(`s3://b/k${i}`);
  }
  const list = await ws.write("assets.txt", uris.join("\n") + "\n");
  const env = { ...fake.env, AWS_MAX_ATTEMPTS: "2" };
  fake.failNext(1000, "internal", (t) => t.op === "GetObject" || t.op === "HeadObject");
  let got!: CliResult;
  await withProcessEnv(env, async () => {
    got = await ws.run(["prefill", "--list", list], env);
  });
  assertEquals(got.code, 1, got.stderr);
  // 12 objects, each retried at least once: told in far fewer lines.
  const lines = retryLines(got.stderr);
  assert(lines.length >= 1 && lines.length < 6, got.stderr);
});

Deno.test("vc cache get: a download cut mid-body says it resumes, and where", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
  await fake.putObject("b", "big", body);
  await withProcessEnv(fake.env, async () => {
    fake.failNext(1, "truncate", (t) => t.op === "GetObject");
    const got = await ws.run(["cache", "get", "s3://b/big"], fake.env);
    assertEquals(got.code, 0, got.stderr);
    assertEquals(await Deno.readFile(got.stdout.trim()), body);
    const lines = retryLines(got.stderr);
    assertEquals(lines.length, 1, got.stderr);
    assert(/; resuming at byte \d+ \(attempt 2\/\d\) in /.test(lines[0]!), got.stderr);
  });
});

Deno.test("s3 store: retries of uploads and of the SDK's requests (a batch delete) are heard too", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    endpoint: fake.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const heard: StoreRetry[] = [];
  const stop = listenToStoreRetries((retry) => heard.push(retry));
  try {
    fake.failNext(1, "slowdown", (t) => t.op === "PutObject");
    await store.put("a", new TextEncoder().encode("a"));
    await store.put("b", new TextEncoder().encode("b"));
    fake.failNext(1, "slowdown", (t) => t.op === "DeleteObjects");
    await store.delete(["a", "b"]);
  } finally {
    stop();
  }
  assertEquals(heard.map((r) => [r.attempt, r.maxAttempts]), [[1, 5], [1, 5]]);
  assertStringIncludes(heard[0]!.reason, "PUT s3://b/a failed: 503 SlowDown");
  assertStringIncludes(heard[1]!.reason, "DeleteObjects s3://b/ failed: 503 SlowDown");
  assertEquals(await fake.getObject("b", "a"), undefined);
});

Deno.test("an error after attempts that took long says how long, as well as how many", () => {
  const late = new Error("GET s3://b/k: timed out after 60 s");
  markGaveUp(late, 5, 302_400);
  assertEquals(
    late.message,
    "GET s3://b/k: timed out after 60 s (gave up after 5 attempts over 5 min 2 s)",
  );
  const soon = new Error("GET s3://b/k failed: 500");
  markGaveUp(soon, 5, 1_500);
  assertEquals(soon.message, "GET s3://b/k failed: 500 (gave up after 5 attempts)");
});

Deno.test("s3 store: an SDK request (a batch delete) failed after attempts that took long says how long", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    endpoint: fake.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 2,
  });
  for (const key of ["a", "b"]) await store.put(key, new TextEncoder().encode(key));
  // Each attempt answers a 500 after 5.5 s: 2 of them take 11 s at least.
  fake.faults = {
    errorRate: 1,
    errorKind: "internal",
    latencyMs: 5_500,
    match: (t) => t.op === "DeleteObjects",
  };
  const error = await store.delete(["a", "b"]).then(() => undefined, (e: unknown) => e);
  assert(error instanceof Error, String(error));
  assertStringIncludes(error.message, "(gave up after 2 attempts over 1");
});
