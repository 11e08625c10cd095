/**
 * A long part header line sent in tiny chunks (a chunked upload whose
 * client writes a few bytes per chunk) costs the reader work linear in its
 * length: each chunk used to copy the whole line read so far into a new
 * block, so a 1 MB line in 16-byte chunks copied ~30 GB and held the service's
 * CPU for seconds, ~6 MB of client traffic for a minute at 1-byte chunks.
 *
 * The work is counted, not timed (a timing bound fails on a busy machine and
 * passes a slower regression on a fast one): every byte copied between byte
 * arrays while the part is read (`Uint8Array#set`, `#slice`) is added up.
 */
import { readFilePart } from "../src/server/multipart.ts";
import { assert, assertEquals } from "./assert.ts";

const enc = new TextEncoder();

/** Runs `fn` counting the bytes `Uint8Array#set` and `#slice` copy meanwhile. */
async function bytesCopiedBy(fn: () => Promise<void>): Promise<number> {
  const proto = Uint8Array.prototype;
  const { set, slice } = proto;
  let copied = 0;
  proto.set = function (this: Uint8Array, array: ArrayLike<number>, offset?: number) {
    copied += array.length;
    return set.call(this, array, offset);
  };
  proto.slice = function (this: Uint8Array, start?: number, end?: number) {
    const out = slice.call(this, start, end);
    copied += out.length;
    return out;
  } as typeof slice;
  try {
    await fn();
  } finally {
    proto.set = set;
    proto.slice = slice;
  }
  return copied;
}

Deno.test("multipart: a 1 MB header line in 16-byte chunks is read with linear copying", async () => {
  const body = enc.encode(
    `--B\r\nX-Pad: ${"a".repeat(1_000_000)}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\nhello\r\n--B--\r\n`,
  );
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < body.length; o += 16) chunks.push(body.slice(o, o + 16));
  let text = "";
  const copied = await bytesCopiedBy(async () => {
    // The default reader: what a chunked request body (no Content-Length) gets.
    const part = await readFilePart(
      ReadableStream.from(chunks),
      "multipart/form-data; boundary=B",
      { inPlace: false },
    );
    text = await new Response(part.body).text();
  });
  assertEquals(text, "hello");
  // Each byte is copied into a block once, and again each time the block
  // doubles (at most as many bytes in all): a few times the body. Copying the
  // line per chunk copied ~30 GB (30 000 times the body).
  assert(copied >= body.length, `only ${copied} bytes copied: the count missed the reads`);
  assert(copied < 4 * body.length, `${copied} bytes copied for a ${body.length}-byte body`);
});
