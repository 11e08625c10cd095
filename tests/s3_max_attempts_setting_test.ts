/**
 * Attempts per S3 request are set as the aws CLI sets them:
 * `AWS_MAX_ATTEMPTS`, else the active profile's `max_attempts`, else vc's
 * 5; the library's `maxAttempts` option wins over both. vc read neither:
 * `AWS_MAX_ATTEMPTS=1` (a CI job that wants a store outage to fail fast)
 * still sent 5 GETs to a failing store, with up to seconds of backoff. A
 * malformed value is refused naming where it was written.
 */
import { InvalidInputError, StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { writeSharedFiles } from "./aws_shared_files.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

function storeWith(url: string, env: Record<string, string>, maxAttempts?: number): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    env: (name) => env[name],
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
}

// GETs of `k` a store with `env` (and the option) sends to a store failing every one.
async function getsUntilGivenUp(env: Record<string, string>, option?: number): Promise<number> {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "k", "x");
  await using store = storeWith(fake.url, env, option);
  fake.failNext(100, "internal", (t) => t.op === "GetObject");
  const error = await assertRejects(() => store.get("k"), StoreError);
  const gets = fake.stats.GetObject ?? 0;
  if (gets > 1) assert(error.message.endsWith(`(gave up after ${gets} attempts)`), error.message);
  return gets;
}

Deno.test("s3: AWS_MAX_ATTEMPTS sets the attempts per request", async () => {
  assertEquals(await getsUntilGivenUp({ AWS_MAX_ATTEMPTS: "2" }), 2);
  assertEquals(await getsUntilGivenUp({ AWS_MAX_ATTEMPTS: "1" }), 1);
});

Deno.test("s3: the profile's max_attempts, under AWS_MAX_ATTEMPTS; the option over both", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const shared = await writeSharedFiles(dir, {
      config: "[profile lab]\nmax_attempts = 3\n",
      credentials: "",
      profile: "lab",
    });
    assertEquals(await getsUntilGivenUp(shared.env), 3);
    assertEquals(await getsUntilGivenUp({ ...shared.env, AWS_MAX_ATTEMPTS: "2" }), 2);
    assertEquals(await getsUntilGivenUp({ ...shared.env, AWS_MAX_ATTEMPTS: "4" }, 1), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("s3: a malformed attempt count is refused naming the variable or the profile's line", async () => {
  for (const bad of ["0", "three", "2.5", "-1"]) {
    const error = assertThrows(
      () => storeWith("http://127.0.0.1:9", { AWS_MAX_ATTEMPTS: bad }),
      InvalidInputError,
    );
    assertStringIncludes(error.message, `AWS_MAX_ATTEMPTS is ${JSON.stringify(bad)}`);
  }
  const dir = await Deno.makeTempDir();
  try {
    const shared = await writeSharedFiles(dir, {
      config: "[profile lab]\nregion = eu-west-1\nmax_attempts = lots\n",
      credentials: "",
      profile: "lab",
    });
    const error = assertThrows(
      () => storeWith("http://127.0.0.1:9", shared.env),
      InvalidInputError,
    );
    assertStringIncludes(error.message, `max_attempts of AWS profile "lab" in ${shared.config}:3`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc: AWS_MAX_ATTEMPTS reaches the CLI's requests and vc config", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  await fake.putObject("b", "k", "x");
  const env = { ...fake.env, AWS_MAX_ATTEMPTS: "2" };
  fake.failNext(100, "internal", (t) => t.op === "GetObject");
  // The SDK's credential chain reads the process's environment.
  await withProcessEnv(env, async () => {
    const got = await ws.run(["cache", "get", "s3://b/k"], env);
    assertEquals(got.code, 1, got.stderr);
    assertStringIncludes(got.stderr, "(gave up after 2 attempts)");
  });
  assertEquals(fake.stats.GetObject, 2);
  const config = await ws.run(["config", "--json"], env);
  assertEquals(config.code, 0, config.stderr);
  const row = config.json<{ name: string; value: unknown; source: string }[]>()
    .find((r) => r.name === "s3MaxAttempts");
  assertEquals([row?.value, row?.source], [2, "env AWS_MAX_ATTEMPTS"]);
});

Deno.test("vc: AWS_MAX_ATTEMPTS=1 makes a failing download one GET, not the downloader's own 3", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  await fake.putObject("b", "k", "x");
  const env = { ...fake.env, AWS_MAX_ATTEMPTS: "1" };
  fake.failNext(100, "internal", (t) => t.op === "GetObject");
  await withProcessEnv(env, async () => {
    const got = await ws.run(["cache", "get", "s3://b/k"], env);
    assertEquals(got.code, 1, got.stderr);
    assert(!got.stderr.includes("trying again"), got.stderr);
    assertStringIncludes(got.stderr, "500 InternalError");
  });
  assertEquals(fake.stats.GetObject, 1);
});
