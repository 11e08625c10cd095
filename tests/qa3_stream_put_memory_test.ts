/**
 * A streamed `S3Store.put` of unknown size reads the first `multipartThreshold`
 * bytes to choose between a single and a multipart upload. Those chunks are
 * copied into the first part; they must not stay referenced until the whole
 * upload ends (16 MiB by default, held for the life of a 1 GiB upload). The
 * check runs in a child with `--v8-flags=--expose-gc` (the test runner has no
 * `gc()`), which counts the first chunks still alive while part 3 is read.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";

const CHILD = fileURLToPath(
  new URL("./fixtures/qa3_stream_retention_child.ts", import.meta.url),
);

Deno.test("a streamed multipart put does not keep the stream's first chunks alive", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", CHILD],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const err = new TextDecoder().decode(stderr);
  assertEquals(code, 0, err);
  const result = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!) as {
    alive: number;
    etag: string;
    tracked: number;
  };
  assertEquals(result.tracked, 16, "the first MiB came in 16 chunks");
  assertEquals(result.alive, 0, "chunks of the first MiB still referenced during part 3");
  assertEquals(/-4$/.test(result.etag), true, `multipart ETag of 4 parts: ${result.etag}`);
});
