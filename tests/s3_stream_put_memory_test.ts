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
