/**
 * The README promises 413 once the headers and the fields other than `file`
 * pass 1 MiB together. A single part header line over that limit (no line
 * ending within it) answered 400 "malformed multipart body: line too long"
 * instead, while the same bytes spread over several lines answered 413.
 */
import { readFilePart } from "../src/server/multipart.ts";
import { HttpError } from "../src/server/http_error.ts";
import { assert, assertEquals } from "./assert.ts";

const enc = new TextEncoder();

/** The body as a network brings it: in pieces, so a long line arrives without its end. */
function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.slice(o, o + size));
  return out;
}

async function statusOf(body: string): Promise<{ status: number; message: string }> {
  try {
    const part = await readFilePart(
      ReadableStream.from(chunksOf(enc.encode(body), 16 * 1024)),
      "multipart/form-data; boundary=B",
      { maxOverheadBytes: 64 * 1024 },
    );
    await new Response(part.body).arrayBuffer();
    return { status: 200, message: "" };
  } catch (e) {
    assert(e instanceof HttpError, `not an HttpError: ${e}`);
    return { status: e.status, message: e.message };
  }
}

Deno.test("multipart: one part header line over the overhead limit is 413, as many lines are", async () => {
  const disposition = `Content-Disposition: form-data; name="file"; filename="x.txt"\r\n`;
  const oneLine = await statusOf(
    `--B\r\nX-Pad: ${"a".repeat(100_000)}\r\n${disposition}\r\nhello\r\n--B--\r\n`,
  );
  const manyLines = await statusOf(
    `--B\r\n${
      Array.from({ length: 100 }, (_, i) => `X-Pad-${i}: ${"a".repeat(1000)}\r\n`).join("")
    }${disposition}\r\nhello\r\n--B--\r\n`,
  );
  assertEquals(manyLines.status, 413);
  assertEquals(oneLine, manyLines);
});

Deno.test("multipart: a long header line under the limit is still read", async () => {
  const r = await statusOf(
    `--B\r\nX-Pad: ${"a".repeat(30_000)}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\nhello\r\n--B--\r\n`,
  );
  assertEquals(r.status, 200);
});
