/**
 * The fake S3 server as a separate process for benchmarks, with its request
 * statistics served on a side port.
 *
 * A benchmark must not share its event loop with the server it measures
 * against (the server's work would be billed to the client under test), and
 * `scripts/fake_s3.ts` has no way to read its statistics from outside. This
 * wrapper starts `startFakeS3` and a tiny control server:
 *
 * - `GET  /stats`  → the server's `FakeS3Stats` as JSON
 * - `POST /reset`  → sets every count back to zero
 *
 * The first stdout line is JSON: `{"url": "...", "control": "..."}`. The
 * process stops when its stdin closes (so it never outlives the benchmark that
 * started it, even one that crashed), on SIGINT/SIGTERM, or after
 * `--max-seconds` (default 1800) as a last resort.
 *
 *     deno run -A scripts/bench/fake_server.ts [--dir D] [--bucket NAME]... [--max-seconds N]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startFakeS3 } from "../../src/testing/mod.ts";
import type { FakeS3Options } from "../../src/testing/mod.ts";

/** The first line the server prints. */
export interface FakeServerAnnouncement {
  /** S3 endpoint URL. */
  url: string;
  /** Base URL of the control server (`/stats`, `/reset`). */
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
  const options: FakeS3Options = { port: 0 };
  if (values.dir !== undefined) options.dir = values.dir;
  if (values.bucket !== undefined) options.buckets = values.bucket;
  const maxSeconds = Number(values["max-seconds"] ?? "1800");
  if (!Number.isFinite(maxSeconds) || maxSeconds <= 0) {
    console.error(`fake_server: --max-seconds must be a positive number`);
    return 2;
  }
  const s3 = await startFakeS3(options);
  const control = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/stats") return Response.json(s3.stats);
    if (req.method === "POST" && path === "/reset") {
      s3.resetStats();
      return new Response(null, { status: 204 });
    }
    return new Response("not found\n", { status: 404 });
  });
  const announcement: FakeServerAnnouncement = {
    url: s3.url,
    control: `http://127.0.0.1:${control.addr.port}`,
  };
  console.log(JSON.stringify(announcement));

  const { promise: stop, resolve } = Promise.withResolvers<string>();
  const onSignal = () => resolve("signal");
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);
  const timer = setTimeout(() => resolve("max-seconds"), maxSeconds * 1000);
  // Stdin closing means the parent is done (or died): stop.
  (async () => {
    const buf = new Uint8Array(256);
    while ((await Deno.stdin.read(buf)) !== null) { /* ignore input */ }
    resolve("stdin closed");
  })().catch(() => resolve("stdin error"));
  const why = await stop;
  clearTimeout(timer);
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, onSignal);
  await control.shutdown();
  await s3.stop();
  if (why === "max-seconds") console.error("fake_server: stopping after --max-seconds");
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
