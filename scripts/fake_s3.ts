/**
 * Runs the fake S3 server until SIGINT/SIGTERM (Ctrl-C or Ctrl-Break on Windows).
 *
 *     deno task fake-s3 [--port N] [--hostname H] [--dir D] [--bucket NAME]... [--verbose]
 *
 * The first line on stdout is `fake-s3 listening on <url>`, so scripts can
 * start it with `--port 0` and read the URL.
 *
 * Another process can read the request counts with `GET <url>/_fake_s3/stats`
 * (JSON) and zero them with `POST <url>/_fake_s3/reset` (the
 * `controlEndpoints` option of `startFakeS3`; bucket names cannot start
 * with `_`, so these paths never shadow an S3 request).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startFakeS3 } from "../src/testing/mod.ts";
import { stopSignals } from "../src/cli/process.ts";
import type { FakeS3Options, FaultOptions } from "../src/testing/mod.ts";

const USAGE = `usage: deno task fake-s3 [options]

  --port N            port to listen on (default 9000; 0 picks a free one)
  --hostname H        interface to bind (default 127.0.0.1)
  --dir D             keep objects in directory D (default: memory)
  --bucket NAME       create bucket NAME at start (repeatable)
  --latency MS        add MS milliseconds to every request
  --error-rate R      answer a fraction R (0..1) of requests with 500 InternalError
  --seed N            seed for --error-rate
  --min-part-size B   smallest multipart part in bytes (default 5242880)
  --verbose           log every request to stderr
  --help              show this help

Control endpoints, on the same port (not counted, never faulted):
  GET  /_fake_s3/stats  request counts as JSON: {"total":N,"faults":N,"GetObject":N,...}
  POST /_fake_s3/reset  zero the counts (204)

  e.g. curl -s http://127.0.0.1:9000/_fake_s3/stats`;

class UsageError extends Error {}

function parseNumber(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} needs a value`);
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be a number in ${min}..${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function parseOptions(args: string[]): FakeS3Options & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        hostname: { type: "string" },
        dir: { type: "string" },
        bucket: { type: "string", multiple: true },
        latency: { type: "string" },
        "error-rate": { type: "string" },
        seed: { type: "string" },
        "min-part-size": { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  // The control endpoints are how another process reads a standalone
  // server's stats; in-process users of startFakeS3 read s3.stats instead.
  const options: FakeS3Options & { help: boolean } = {
    help: v.help ?? false,
    controlEndpoints: true,
  };
  options.port = v.port === undefined ? 9000 : parseNumber("port", v.port, 0, 65535);
  if (!Number.isInteger(options.port)) throw new UsageError(`--port must be an integer`);
  if (v.hostname !== undefined) options.hostname = v.hostname;
  if (v.dir !== undefined) options.dir = v.dir;
  if (v.bucket !== undefined) options.buckets = v.bucket;
  const faults: FaultOptions = {};
  if (v.latency !== undefined) faults.latencyMs = parseNumber("latency", v.latency, 0, 600_000);
  if (v["error-rate"] !== undefined) {
    faults.errorRate = parseNumber("error-rate", v["error-rate"], 0, 1);
  }
  if (v.seed !== undefined) {
    faults.seed = parseNumber("seed", v.seed, 0, 2 ** 32 - 1);
    if (!Number.isInteger(faults.seed)) throw new UsageError("--seed must be an integer");
  }
  options.faults = faults;
  if (v["min-part-size"] !== undefined) {
    options.minPartSize = parseNumber("min-part-size", v["min-part-size"], 0, 5 * 1024 ** 3);
  }
  if (v.verbose) {
    options.onRequest = (e) =>
      console.error(
        `${e.method} ${e.path} -> ${e.op} ${e.status} ${e.ms.toFixed(1)}ms${
          e.fault ? ` [${e.fault}]` : ""
        }`,
      );
  }
  return options;
}

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`fake-s3: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { help: _, ...serverOptions } = options;
  let s3;
  try {
    s3 = await startFakeS3(serverOptions);
  } catch (e) {
    console.error(`fake-s3: cannot start: ${(e as Error).message}`);
    return 1;
  }
  console.log(`fake-s3 listening on ${s3.url}`);
  console.log(
    `  AWS_ENDPOINT_URL=${s3.url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1`,
  );
  const { promise: stopped, resolve } = Promise.withResolvers<void>();
  const onSignal = () => resolve();
  // The platform's own: Windows takes no SIGTERM listener (it threw there,
  // stopping the server right after it printed its URL), but Ctrl-Break.
  for (const [signal] of stopSignals()) Deno.addSignalListener(signal, onSignal);
  await stopped;
  for (const [signal] of stopSignals()) Deno.removeSignalListener(signal, onSignal);
  await s3.stop();
  console.error("fake-s3 stopped");
  return 0;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
