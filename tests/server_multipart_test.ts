/**
 * The streaming multipart reader against bodies split at every possible
 * place, with content that contains near-misses of the delimiter.
 */
import { HttpError } from "../src/server/http_error.ts";
import { indexOfBytes, parseDisposition, readFilePart } from "../src/server/multipart.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";

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

/** `haystack` behind a Proxy that counts the bytes read from it. */
function counted(haystack: Uint8Array): { bytes: Uint8Array; reads: () => number } {
  let reads = 0;
  const bytes = new Proxy(haystack, {
    get(target, key) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { bytes, reads: () => reads };
}

function naiveIndexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

Deno.test("multipart: the delimiter search finds what a naive search finds", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // Small alphabets around the delimiter's own bytes: many near-misses.
  const alphabet = enc.encode("\r\n-ab");
  for (let round = 0; round < 300; round++) {
    const boundary = Array.from(
      { length: 1 + Math.floor(random() * 6) },
      () => "ab-"[Math.floor(random() * 3)],
    ).join("");
    const needle = enc.encode(`\r\n--${boundary}`);
    const haystack = Uint8Array.from(
      { length: Math.floor(random() * 200) },
      () => alphabet[Math.floor(random() * alphabet.length)]!,
    );
    if (random() < 0.5 && haystack.length >= needle.length) {
      haystack.set(needle, Math.floor(random() * (haystack.length - needle.length + 1)));
    }
    const from = Math.floor(random() * 10);
    assertEquals(
      indexOfBytes(haystack, needle, from),
      naiveIndexOf(haystack, needle, from),
      `boundary ${JSON.stringify(boundary)}`,
    );
  }
});

Deno.test("multipart: a boundary the client chose to match its file costs a linear search", () => {
  // 70 `a`s (the longest boundary RFC 2046 allows) over a file of `a`s: a
  // backwards Horspool compares ~70 bytes at every position.
  const n = 100_000;
  for (const content of ["a", "-a", "\r\n--a"]) {
    const needle = enc.encode(`\r\n--${"a".repeat(70)}`);
    const file = enc.encode(content.repeat(Math.ceil(n / content.length)).slice(0, n));
    const { bytes, reads } = counted(file);
    assertEquals(indexOfBytes(bytes, needle, 0), -1);
    assert(
      reads() <= 3 * n,
      `${reads()} bytes read for a ${n}-byte file of ${JSON.stringify(content)}`,
    );
  }
});

Deno.test("multipart: a folded part header is unfolded, as Python's email package folds it", async () => {
  // BytesGenerator (SMTP policy) folds a Content-Disposition past 78 columns.
  const long = "a_rather_long_output_file_name_from_the_alignment_step  twice.tsv";
  const cut = long.indexOf(" ");
  for (const eol of ["\r\n", "\n"]) {
    const folded = enc.encode(
      `--b${eol}Content-Type: text/plain${eol}MIME-Version: 1.0${eol}` +
        `Content-Disposition: form-data; name="file";${eol}\tfilename="${long.slice(0, cut)}${eol}${
          long.slice(cut)
        }"${eol}${eol}hello${eol}--b--${eol}`,
    );
    for (const [kind, split] of KINDS) {
      const part = await readFilePart(split(folded, [7]), "multipart/form-data; boundary=b");
      const what = `${kind} ${eol === "\n" ? "LF" : "CRLF"}`;
      assertEquals(part.filename, long, what);
      assertEquals(new TextDecoder().decode(await readAll(part.body)), "hello", what);
    }
  }
  // A continuation with no header above it is still malformed.
  const e = await assertRejects(
    () =>
      readFilePart(
        chunked(enc.encode(`--b\r\n name="file"\r\n\r\nx\r\n--b--\r\n`), [64]),
        "multipart/form-data; boundary=b",
      ),
    HttpError,
  );
  assertEquals(e.status, 400);
});

Deno.test("multipart: RFC 2231 filename continuations join, as Python's email package splits a long name", () => {
  // What BytesGenerator (SMTP policy) writes for a long UTF-8 and a long ASCII name, unfolded.
  const accented = `résultat_${"x".repeat(80)}.tsv`;
  assertEquals(
    parseDisposition(
      `form-data; name="file"; filename*0*=utf-8''r%C3%A9sultat_${"x".repeat(43)}; filename*1*=${
        "x".repeat(37)
      }.tsv`,
    ).filename,
    accented,
  );
  assertEquals(
    parseDisposition(
      `form-data; name="file"; filename*0*=us-ascii''${"r".repeat(54)}; filename*1*=${
        "r".repeat(64)
      }; filename*2*=rr.tsv`,
    ).filename,
    `${"r".repeat(120)}.tsv`,
  );
  // Plain pieces (RFC 2231 4.1's example mixes them) and a lone us-ascii filename*.
  assertEquals(
    parseDisposition(
      `form-data; name="file"; filename*0*=UTF-8'en'a%20b; filename*1="; c d"; filename*2=.txt`,
    )
      .filename,
    "a b; c d.txt",
  );
  assertEquals(
    parseDisposition(`form-data; name="file"; filename*=us-ascii''a%20b.txt`).filename,
    "a b.txt",
  );
  for (
    const [value, why] of [
      [`form-data; name="file"; filename*=us-ascii''caf%C3%A9.txt`, /RFC 8187/],
      [`form-data; name="file"; filename*0="a"; filename*0*=utf-8''b`, /twice/],
      [`form-data; name="file"; filename*=utf-8''a; filename*0="b"`, /continuations/],
    ] as const
  ) {
    const e = assertThrows(() => parseDisposition(value), HttpError);
    assertEquals(e.status, 400);
    assert(why.test(e.message), e.message);
  }
});
