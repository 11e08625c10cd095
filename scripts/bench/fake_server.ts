/**
 * The fake S3 server as a separate process for benchmarks.
 *
 * A benchmark must not share its event loop with the server it measures
 * against (the server's work would be billed to the client under test). What
 * this adds to `scripts/fake_s3.ts` is the lifecycle: the process stops when
 * its stdin closes, so it never outlives the benchmark that started it, even
 * one that crashed; also on SIGINT/SIGTERM, or after `--max-seconds` (default
 * 1800) as a last resort. Request counts come from the server's own control
 * endpoints (`GET /_fake_s3/stats`, `POST /_fake_s3/reset`).
 *
 * The first stdout line is JSON: `{"url": "...", "control": "..."}`.
 *
 *     deno run -A scripts/bench/fake_server.ts [--dir D] [--bucket NAME]... [--max-seconds N]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startFakeS3 } from "../../src/testing/mod.ts";
import { stopSignals } from "../../src/cli/process.ts";
import type { FakeS3Options } from "../../src/testing/mod.ts";

/** The first line the server prints. */
export interface FakeServerAnnouncement {
  /** S3 endpoint URL. */
  url: string;
  /** Base URL of the control endpoints (`/stats`, `/reset`). */
  control: string;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      dir: { type: "string" },
      bucket: { type: "string", multiple: true },
      "max-seconds": { type: "string" },
    },
  });
  const options: FakeS3Options = { port: 0, controlEndpoints: true };
  if (values.dir !== undefined) options.dir = values.dir;
  if (values.bucket !== undefined) options.buckets = values.bucket;
  const maxSeconds = Number(values["max-seconds"] ?? "1800");
  if (!Number.isFinite(maxSeconds) || maxSeconds <= 0) {
    console.error(`fake_server: --max-seconds must be a positive number`);
    return 2;
  }
  const s3 = await startFakeS3(options);
  const announcement: FakeServerAnnouncement = { url: s3.url, control: `${s3.url}/_fake_s3` };
  console.log(JSON.stringify(announcement));

  const { promise: stop, resolve } = Promise.withResolvers<string>();
  const onSignal = () => resolve("signal");
  // The platform's own: Windows takes no SIGTERM listener (it threw there).
  for (const [sig] of stopSignals()) Deno.addSignalListener(sig, onSignal);
  const timer = setTimeout(() => resolve("max-seconds"), maxSeconds * 1000);
  // Stdin closing means the parent is done (or died): stop.
  (async () => {
    const buf = new Uint8Array(256);
    while ((await Deno.stdin.read(buf)) !== null) { /* ignore input */ }
    resolve("stdin closed");
  })().catch(() => resolve("stdin error"));
  const why = await stop;
  clearTimeout(timer);
  for (const [sig] of stopSignals()) Deno.removeSignalListener(sig, onSignal);
  await s3.stop();
  if (why === "max-seconds") console.error("fake_server: stopping after --max-seconds");
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
