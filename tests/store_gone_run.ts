/**
 * The run the "stale copy, store gone" CLI tests share: a fake S3 holding
 * {@linkcode KEPT_URI}, a first `vc cache get` that caches it, then the store
 * stopped (same endpoint, nobody listening any more) before the test's own
 * runs.
 *
 * @module
 */
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { type CliWorkspace, withProcessEnv } from "./cli_harness.ts";

/** The object the runs cache: bucket `data`, body `kept`. */
export const KEPT_URI = "s3://data/k.txt";

/**
 * Starts a fake S3 holding {@linkcode KEPT_URI} and runs `fn` with it and its
 * env (one attempt per request, so a gone store fails fast), that env also
 * set in this process; stops the store after.
 */
export async function withKeptObject(
  fn: (s3: FakeS3, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const s3 = await startFakeS3({ buckets: ["data"] });
  try {
    await s3.putObject("data", "k.txt", "kept");
    const env = { ...s3.env, AWS_MAX_ATTEMPTS: "1" };
    await withProcessEnv(env, () => fn(s3, env));
  } finally {
    await s3.stop().catch(() => {});
  }
}

/**
 * In {@linkcode withKeptObject}: `vc cache get KEPT_URI` in `ws` while the
 * store answers (it must exit 0), then `whileUp(env)` if given, then the
 * store stops and `whenGone(env)` runs.
 */
export function withStoreGone(
  ws: CliWorkspace,
  whenGone: (env: Record<string, string>) => Promise<void>,
  whileUp?: (env: Record<string, string>) => Promise<void>,
): Promise<void> {
  return withKeptObject(async (s3, env) => {
    const fresh = await ws.run(["cache", "get", KEPT_URI], env);
    assertEquals(fresh.code, 0, fresh.stderr);
    await whileUp?.(env);
    await s3.stop(); // same endpoint, nobody listening any more
    await whenGone(env);
  });
}

/**
 * Starts a fake S3 holding `s3://data/dev/x.csv` ("dev copy\n"), writes
 * `ws`'s manifest with `/x.csv` overridden to it, and runs `fn` with the
 * store and the env (one attempt per request, `VC_BUCKET` the workspace's),
 * that env also set in this process; stops the store after.
 */
export async function withOverrideObject(
  ws: CliWorkspace,
  fn: (s3: FakeS3, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const s3 = await startFakeS3({ buckets: ["data"] });
  try {
    await s3.putObject("data", "dev/x.csv", "dev copy\n");
    await ws.write("versioned_assets.json", '{"/x.csv": "s3://data/dev/x.csv"}\n');
    const env = { ...s3.env, AWS_MAX_ATTEMPTS: "1", VC_BUCKET: ws.bucket };
    await withProcessEnv(env, () => fn(s3, env));
  } finally {
    await s3.stop().catch(() => {});
  }
}
