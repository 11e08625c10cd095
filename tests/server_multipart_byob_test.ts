/**
 * The multipart reader hands the file to a reader that brings its own
 * buffer (S3Store's multipart parts, `streamPartSource`) by reading the
 * request body straight into that buffer: the bytes must come out exactly,
 * whatever the body's chunking and the reader's buffer sizes, with
 * near-misses of the delimiter at read boundaries; a cut-off body and an
 * oversized file are errors, never a short file.
 */
import { HttpError } from "../src/server/http_error.ts";
import { readFilePart } from "../src/server/multipart.ts";
import { streamPartSource } from "../src/store/multipart_upload.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const enc = new TextEncoder();
const BOUNDARY = "----vcByob7MA4YWxkTrZu0gW";
const TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** ~300 KB of content with delimiter near-misses around 64 KiB multiples and at the end. */
function makeContent(): Uint8Array {
  const out = new Uint8Array(300_000);
  for (let i = 0; i < out.length; i++) out[i] = (i * 7919) % 251;
  const misses = [
    `\r\n--${BOUNDARY.slice(0, -1)}`,
    `\r\n--${BOUNDARY.slice(0, 5)}`,
    `\r\n-`,
    `\r\n--${BOUNDARY}`.slice(0, -2) + "xy",
  ];
  let k = 0;
  for (const at of [0, 65_530, 65_536 - 20, 131_060, 200_000, 262_140, 300_000 - 30]) {
    out.set(enc.encode(misses[k++ % misses.length]!).subarray(0, out.length - at), at);
  }
  return out;
}

const content = makeContent();
const body = concat(
  enc.encode(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`,
  ),
  content,
  enc.encode(
    `\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--${BOUNDARY}--\r\n`,
  ),
);

/** A byte stream (as Deno.serve's request bodies are) of `bytes` in pieces of the given sizes. */
function byteChunked(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let o = 0, k = 0; o < bytes.length; k++) {
    chunks.push(bytes.slice(o, o + sizes[k % sizes.length]!));
    o += sizes[k % sizes.length]!;
  }
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) {
        controller.close();
        controller.byobRequest?.respond(0);
      } else controller.enqueue(next);
    },
  });
}

/** Reads a stream with a BYOB reader into buffers of `size` bytes. */
async function readByob(stream: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  const reader = stream.getReader({ mode: "byob" });
  const out: Uint8Array[] = [];
  let buffer = new Uint8Array(size);
  for (;;) {
    const { done, value } = await reader.read(buffer);
    if (done) break;
    out.push(value.slice());
    buffer = new Uint8Array(value.buffer as ArrayBuffer);
  }
  return concat(...out);
}

const SPLITS = [[65_536], [7, 65_536], [100_000], [65_500, 3], [31, 4096, 1], [300_000]];

Deno.test("multipart BYOB: the file's bytes come out exactly, whatever the chunking and buffers", async () => {
  for (const sizes of SPLITS) {
    for (const size of [64 * 1024, 70_000, 200 * 1024, 1024, 1024 * 1024]) {
      const part = await readFilePart(byteChunked(body, sizes), TYPE);
      const got = await readByob(part.body, size);
      assertEquals(got.length, content.length, `${sizes} / ${size}`);
      assert(got.every((b, i) => b === content[i]), `${sizes} / ${size}: bytes differ`);
      assertEquals(part.bytes(), content.length);
    }
  }
});

Deno.test("multipart BYOB: streamPartSource reads the file straight into its parts", async () => {
  for (const sizes of SPLITS) {
    const part = await readFilePart(byteChunked(body, sizes), TYPE);
    const source = streamPartSource(part.body.getReader({ mode: "byob" }), 100_000);
    const parts: Uint8Array[] = [];
    for (let p = await source.next(); p !== undefined; p = await source.next()) {
      parts.push((await p.read()).slice());
      p.release?.();
    }
    assertEquals(parts.map((p) => p.length), [100_000, 100_000, 100_000], `${sizes}`);
    assert(concat(...parts).every((b, i) => b === content[i]), `${sizes}: bytes differ`);
  }
});

Deno.test("multipart BYOB: a cut-off body or an oversized file is an error, never a short file", async () => {
  const fileStart = body.length - content.length - 100;
  for (const cut of [fileStart + 200, fileStart + 65_540, body.length - 150, body.length - 60]) {
    const part = await readFilePart(byteChunked(body.slice(0, cut), [65_536]), TYPE);
    const e = await assertRejects(() => readByob(part.body, 128 * 1024), HttpError);
    assertEquals(e.status, 400, `cut at ${cut}`);
  }
  const big = await readFilePart(byteChunked(body, [65_536]), TYPE, { maxFileBytes: 150_000 });
  const e = await assertRejects(() => readByob(big.body, 128 * 1024), HttpError);
  assertEquals(e.status, 413);
  const fits = await readFilePart(byteChunked(body, [65_536]), TYPE, {
    maxFileBytes: content.length,
  });
  assertEquals((await readByob(fits.body, 128 * 1024)).length, content.length);
});

Deno.test("multipart BYOB: a small file arriving in reads shorter than the delimiter comes out whole", async () => {
  // A slow client, a proxy forwarding segment by segment, a chunked body:
  // the file's bytes come in a read of their own, shorter than the
  // delimiter, so nothing can be answered from it yet (a 500 before).
  for (const file of ["", "a", "abc", "x".repeat(40), "y".repeat(70_000)]) {
    const head = enc.encode(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="s.txt"\r\n\r\n`,
    );
    const tail = enc.encode(`\r\n--${BOUNDARY}--\r\n`);
    const segmented = [head, enc.encode(file), tail].filter((p) => p.length > 0);
    for (const pieces of [segmented, [concat(head, enc.encode(file), tail)]]) {
      const stream = new ReadableStream({
        type: "bytes",
        pull(controller) {
          const next = pieces.shift();
          if (next === undefined) {
            controller.close();
            controller.byobRequest?.respond(0);
          } else controller.enqueue(next.slice());
        },
      });
      const part = await readFilePart(stream, TYPE);
      const got = await readByob(part.body, 1024 * 1024);
      assertEquals(new TextDecoder().decode(got), file, `${file.length} bytes`);
    }
  }
  // Byte by byte, and in pieces of 3, with S3Store's part reader.
  for (const sizes of [[1], [3], [5, 2]]) {
    const small = concat(
      enc.encode(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="s"\r\n\r\n`,
      ),
      enc.encode("hello"),
      enc.encode(`\r\n--${BOUNDARY}--\r\n`),
    );
    const part = await readFilePart(byteChunked(small, sizes), TYPE);
    const source = streamPartSource(part.body.getReader({ mode: "byob" }), 100_000);
    const first = await source.next();
    assert(first !== undefined, `${sizes}`);
    assertEquals(new TextDecoder().decode(await first.read()), "hello", `${sizes}`);
  }
});
