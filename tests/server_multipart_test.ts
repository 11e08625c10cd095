/**
 * The streaming multipart reader against bodies split at every possible
 * place, with content that contains near-misses of the delimiter.
 */
import { HttpError } from "../src/server/http_error.ts";
import { readFilePart } from "../src/server/multipart.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `bytes` cut into pieces of the given sizes (cycled). */
function pieces(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let o = 0, k = 0; o < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    chunks.push(bytes.slice(o, o + n));
    o += n;
  }
  return chunks;
}

/** A stream of `bytes` cut into pieces of the given sizes (cycled). */
function chunked(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(pieces(bytes, sizes));
}

/**
 * The same as a byte stream (as `Deno.serve` request bodies are), which the
 * reader fills its own blocks from.
 */
function byteChunked(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<Uint8Array> {
  const chunks = pieces(bytes, sizes);
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) {
        controller.close();
        controller.byobRequest?.respond(0); // a pending BYOB read sees the end
      } else controller.enqueue(next);
    },
  });
}

const KINDS = [["default", chunked], ["bytes", byteChunked]] as const;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const BOUNDARY = "----vcBoundary7MA4YWxk";
// Content full of near-misses: partial delimiters, CRLFs, dashes, the boundary without CRLF.
const content = concat(
  enc.encode(`\r\n--${BOUNDARY.slice(0, -1)}X\r\n-\r\n--\r\n${BOUNDARY}\r`),
  crypto.getRandomValues(new Uint8Array(5000)),
  enc.encode(`\r\n--${BOUNDARY.slice(0, 10)}`),
);
const body = concat(
  enc.encode(`preamble\r\n--${BOUNDARY}\r\n`),
  enc.encode(`Content-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${BOUNDARY}\r\n`),
  enc.encode(
    `Content-Disposition: form-data; name="file"; filename="data.bin"\r\nContent-Type: application/x-thing\r\n\r\n`,
  ),
  content,
  enc.encode(`\r\n--${BOUNDARY}--\r\nepilogue`),
);
const TYPE = `multipart/form-data; boundary="${BOUNDARY}"`;

Deno.test("multipart: the file's bytes come out exactly, however the body is split", async () => {
  for (const [kind, split] of KINDS) {
    for (const sizes of [[1], [2], [3, 7], [13, 1, 64], [1000], [100_000], [31, 4096, 1]]) {
      let read = 0;
      const part = await readFilePart(split(body, sizes), TYPE, { onRead: (n) => read += n });
      assertEquals(part.filename, "data.bin", `${kind} ${sizes}`);
      assertEquals(part.contentType, "application/x-thing", `${kind} ${sizes}`);
      assertEquals(await readAll(part.body), content, `${kind} ${sizes}`);
      assertEquals(part.bytes(), content.length, `${kind} ${sizes}`);
      assert(read <= body.length && read >= body.length - 100, `${kind} ${sizes}: read ${read}`);
    }
  }
});

Deno.test("multipart: a body cut anywhere inside the file is an error, never a short file", async () => {
  const fileStart = body.length - content.length -
    enc.encode(`\r\n--${BOUNDARY}--\r\nepilogue`).length;
  for (const [kind, split] of KINDS) {
    for (const cut of [fileStart, fileStart + 1, fileStart + 2500, fileStart + content.length]) {
      const part = await readFilePart(split(body.slice(0, cut), [97]), TYPE);
      const e = await assertRejects(() => readAll(part.body), HttpError);
      assertEquals(e.status, 400, `${kind}: cut at ${cut}`);
    }
  }
});

Deno.test("multipart: the size limit is enforced while streaming", async () => {
  const part = await readFilePart(chunked(body, [512]), TYPE, { maxFileBytes: 1000 });
  const e = await assertRejects(() => readAll(part.body), HttpError);
  assertEquals(e.status, 413);
  const fits = await readFilePart(chunked(body, [512]), TYPE, { maxFileBytes: content.length });
  assertEquals((await readAll(fits.body)).length, content.length);
});

Deno.test("multipart: two boundary parameters are refused, not one of them guessed", async () => {
  for (
    const type of [
      `${TYPE}; boundary=other`,
      `multipart/form-data; boundary=a; BOUNDARY="${BOUNDARY}"`,
    ]
  ) {
    const e = await assertRejects(
      () => readFilePart(chunked(body, [body.length]), type),
      HttpError,
    );
    assertEquals(e.status, 400);
    assert(e.message.includes("more than one boundary"), e.message);
  }
});

Deno.test("multipart: a filename with DEL or a bidirectional override is refused, shown escaped", async () => {
  for (const [name, shown] of [["ab\u007f", "ab\\u007f"], ["a\u202egnp.exe", "a\\u202egnp.exe"]]) {
    const withName = concat(
      enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="`),
      enc.encode(name!),
      enc.encode(`"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`),
    );
    const e = await assertRejects(async () => {
      const part = await readFilePart(chunked(withName, [withName.length]), TYPE);
      await readAll(part.body);
    }, HttpError);
    assertEquals(e.status, 400);
    assert(e.message.includes(`"${shown}" contains control characters`), e.message);
  }
});
