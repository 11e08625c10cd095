/**
 * A streamed `S3Store.put` of unknown size reads the first `multipartThreshold`
 * bytes to choose between a single and a multipart upload. Those chunks are
 * copied into the first part; they must not stay referenced until the whole
 * upload ends (16 MiB by default, held for the life of a 1 GiB upload). The
 * check runs in a child with `--v8-flags=--expose-gc` (the test runner has no
 * `gc()`), which counts the first chunks still alive while part 3 is read.
 */
import { assertEquals } from "./assert.ts";
import { gcChildResult } from "./gc_child.ts";

Deno.test("a streamed multipart put does not keep the stream's first chunks alive", async () => {
  const result = await gcChildResult<{ alive: number; etag: string; tracked: number }>(
    "s3_stream_retention_child.ts",
  );
  assertEquals(result.tracked, 16, "the first MiB came in 16 chunks");
  assertEquals(result.alive, 0, "chunks of the first MiB still referenced during part 3");
  assertEquals(/-4$/.test(result.etag), true, `multipart ETag of 4 parts: ${result.etag}`);
});

/**
 * `vc serve` gives each upload a signal that follows its shutdown signal
 * (`AbortSignal.any`). Deno keeps such a signal alive while its source can
 * still abort and it has an abort listener, and the store's abort callbacks
 * (abort_hub.ts) left their listener on it after the upload: every upload
 * through an S3 store kept its signal, and with it about 1.5 times the
 * file's size of part buffers, until the service stopped (100 uploads of 20
 * MiB took `vc serve` from 110 MiB to 1.6 GiB of RSS).
 */
Deno.test("streamed multipart puts under a signal that follows a long-lived one keep none of their buffers", async () => {
  const result = await gcChildResult<{ signalsAlive: number; uploads: number; grewBytes: number }>(
    "abort_any_retention_child.ts",
  );
  // The last one's may still be held by the store's idle connection; before, all were kept.
  assertEquals(
    result.signalsAlive <= 1,
    true,
    `signals of ${result.signalsAlive} of ${result.uploads} uploads still alive`,
  );
  assertEquals(
    result.grewBytes < 8 * 1024 * 1024,
    true,
    `buffers grew by ${result.grewBytes} bytes over ${result.uploads - 1} more uploads`,
  );
});
