/**
 * The measured side of `stream_put.ts`, in its own process so its peak
 * memory is its own: uploads `size` bytes generated as a stream of 64 KiB
 * chunks (size not announced) to `s3://bench/<key>` on the fake server, either
 * through `S3Store.put` (mode `vc`: 8 MiB parts, 4 at once) or as one plain
 * streamed `fetch` PUT (mode `direct`, the peer). Prints one JSON line.
 *
 *     deno run -A scripts/bench/stream_put_child.ts vc|direct SIZE
 *
 * With a third argument `gc` (and `--v8-flags=--expose-gc`), the source runs
 * a full garbage collection every 1 MiB it hands out, so the peak RSS is what
 * the uploader keeps alive rather than how long V8 leaves the caller's
 * discarded chunks lying around (its limits grow with the live heap).
 *
 *     deno run -A --v8-flags=--expose-gc scripts/bench/stream_put_child.ts vc SIZE gc
 *
 * Environment: `AWS_ENDPOINT_URL` and credentials (see `FakeServer.env`).
 *
 * @module
 */
import { S3Store } from "../../src/store/s3.ts";
import { pseudoRandom } from "./lib.ts";

/** What the child prints. */
export interface StreamPutResult {
  /** Milliseconds spent uploading. */
  ms: number;
  /** The ETag the server returned. */
  etag: string;
}

const CHUNK = 64 * 1024;
const PART = 8 * 1024 * 1024;
const GC_EVERY = 1024 * 1024;

/** A stream of `size` bytes in fresh 64 KiB chunks, as a network or pipe would hand them out. */
function source(size: number, gc: (() => void) | undefined): ReadableStream<Uint8Array> {
  const block = pseudoRandom(PART, 11);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      if (gc !== undefined && sent % GC_EVERY === 0) gc();
      const n = Math.min(CHUNK, size - sent);
      const at = sent % PART;
      const chunk = block.slice(at, at + n);
      new DataView(chunk.buffer).setUint32(0, sent / CHUNK); // every chunk distinct
      sent += n;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

async function main(mode: string, size: number, collect: boolean): Promise<void> {
  const endpoint = Deno.env.get("AWS_ENDPOINT_URL");
  if (endpoint === undefined) throw new Error("AWS_ENDPOINT_URL is not set");
  const gc = collect ? (globalThis as { gc?: () => void }).gc : undefined;
  if (collect && gc === undefined) throw new Error("gc mode needs --v8-flags=--expose-gc");
  const t0 = performance.now();
  let etag: string;
  if (mode === "vc") {
    await using store = {
      s: new S3Store({ bucket: "bench", endpoint, partSize: PART, concurrency: 4 }),
      async [Symbol.asyncDispose]() {
        await this.s.close();
      },
    };
    etag = (await store.s.put("stream.bin", source(size, gc))).etag;
  } else if (mode === "direct") {
    const res = await fetch(`${endpoint}/bench/direct.bin`, {
      method: "PUT",
      body: source(size, gc),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`direct PUT: ${res.status}`);
    etag = (res.headers.get("etag") ?? "").replaceAll('"', "");
  } else {
    throw new Error(`unknown mode ${mode}: vc or direct`);
  }
  const result: StreamPutResult = { ms: performance.now() - t0, etag };
  console.log(JSON.stringify(result));
}

if (import.meta.main) {
  const [mode = "", size = "", gc = ""] = Deno.args;
  await main(mode, Number(size), gc === "gc");
}
