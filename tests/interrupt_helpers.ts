/**
 * What the tests of an interrupted upload (`vc mirror`, `vc serve` cut short
 * by a signal) look at afterwards: the multipart uploads left open in the
 * fake S3's bucket, and the last line the process printed, once the
 * requests the process gave up on have ended on the server.
 */
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import type { RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";
import { join } from "node:path";
import { assertEquals } from "./assert.ts";

type FakeS3 = Awaited<ReturnType<typeof startFakeS3>>;

/** The keys of the multipart uploads open in `bucket`. */
export async function openUploads(s3: FakeS3, bucket: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (open.Uploads ?? []).map((u) => u.Key ?? "");
  } finally {
    client.destroy();
  }
}

/** The last non-empty line of `text`. */
export function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}

/**
 * Counts the requests the fake S3 has finished handling. A request delayed
 * by a fault's `latencyMs` that the client gave up on still runs on the
 * server once its delay is over (and may then write a part or an object):
 * pass `onRequest` to `startFakeS3`, and `settled` waits (at most `limitMs`)
 * until every request that reached the server has ended there, rather than
 * sleeping a whole latency after the client is done.
 */
export function requestsEnding(): {
  onRequest: (entry: RequestLogEntry) => void;
  settled: (s3: FakeS3, limitMs: number) => Promise<void>;
} {
  let ended = 0;
  // Requests of no S3 operation are answered at once and not logged.
  const arrived = (s3: FakeS3) => s3.stats.total - s3.stats.Unsupported;
  return {
    onRequest: () => void ended++,
    async settled(s3, limitMs) {
      const deadline = Date.now() + limitMs;
      while (arrived(s3) > ended && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(ended, arrived(s3), "requests still running on the server");
    },
  };
}

/**
 * The content files (`SHARD/NAME`) a file repository's `content` directory
 * holds: an add that uploaded its content is past its start-up (its signal
 * handlers in place) and on to the catalog.
 */
export async function contentFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const there = await Deno.stat(dir).then(() => true, () => false);
  if (!there) return found;
  for await (const sub of Deno.readDir(dir)) {
    if (!sub.isDirectory) continue;
    for await (const e of Deno.readDir(join(dir, sub.name))) {
      if (e.isFile && !e.name.startsWith(".")) found.push(`${sub.name}/${e.name}`);
    }
  }
  return found;
}
