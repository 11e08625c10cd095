/**
 * Request bodies as S3 clients send them: plain, or in `aws-chunked` framing
 * (SigV4 streaming uploads and trailing checksums), decoded on the fly.
 *
 * @module
 */
import { concatBytes } from "../../bytes.ts";
import { digestFor } from "../../hash.ts";
import { S3Error } from "./s3_error.ts";

const CR = 13;
const LF = 10;
// Chunk headers are `<hex>;chunk-signature=<64 hex>`; trailers are a few
// checksum lines. Anything longer is not a client we understand.
const MAX_LINE = 8 * 1024;

/**
 * True when the request body uses `aws-chunked` framing (by
 * `Content-Encoding` or a `STREAMING-*` `x-amz-content-sha256`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAwsChunked } from "./request_body.ts";
 * assert(isAwsChunked(new Headers({ "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER" })));
 * assert(!isAwsChunked(new Headers({ "x-amz-content-sha256": "UNSIGNED-PAYLOAD" })));
 * ```
 */
export function isAwsChunked(headers: Headers): boolean {
  const sha = headers.get("x-amz-content-sha256");
  if (sha !== null && sha.startsWith("STREAMING-")) return true;
  const enc = headers.get("content-encoding");
  return enc !== null && enc.split(",").some((e) => e.trim().toLowerCase() === "aws-chunked");
}

/**
 * Decodes `aws-chunked` framing: `<hex-size>[;chunk-signature=...]\r\n<data>\r\n`
 * repeated, a zero-size chunk, optional trailer lines and a blank line.
 * Data is passed through as sub-arrays of the input, without copying.
 * Signatures are not verified; trailer lines (trailing checksums) go to
 * `onTrailer` (lower-case name, trimmed value) for the caller to check.
 * Throws `IncompleteBody` for broken framing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeAwsChunked } from "./request_body.ts";
 * const framed = new TextEncoder().encode("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
 * async function* source() { yield framed.subarray(0, 5); yield framed.subarray(5); }
 * let text = "";
 * for await (const part of decodeAwsChunked(source())) text += new TextDecoder().decode(part);
 * assert(text === "abc");
 * ```
 */
export async function* decodeAwsChunked(
  source: AsyncIterable<Uint8Array>,
  onTrailer?: (name: string, value: string) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  // States: reading a header line, copying data, expecting the CRLF after
  // data, reading trailer lines, done.
  let state: "header" | "data" | "crlf" | "trailer" | "done" = "header";
  let line: number[] = [];
  let remaining = 0;
  let crlfSeen = 0;
  const broken = (why: string) =>
    new S3Error("IncompleteBody", `malformed aws-chunked request body: ${why}`);

  for await (const chunk of source) {
    let i = 0;
    while (i < chunk.length) {
      switch (state) {
        case "header":
        case "trailer": {
          const lf = chunk.indexOf(LF, i);
          const end = lf === -1 ? chunk.length : lf;
          for (let j = i; j < end; j++) line.push(chunk[j]!);
          if (line.length > MAX_LINE) throw broken("header line too long");
          i = end;
          if (lf === -1) break;
          i = lf + 1;
          if (line[line.length - 1] === CR) line.pop();
          const text = String.fromCharCode(...line);
          line = [];
          if (state === "trailer") {
            if (text === "") state = "done";
            else if (onTrailer !== undefined) {
              const colon = text.indexOf(":");
              if (colon <= 0) throw broken(`bad trailer line ${JSON.stringify(text)}`);
              onTrailer(text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim());
            }
            continue;
          }
          const hex = text.split(";", 1)[0]!.trim();
          if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) {
            throw broken(`bad chunk size ${JSON.stringify(hex)}`);
          }
          remaining = parseInt(hex, 16);
          state = remaining === 0 ? "trailer" : "data";
          break;
        }
        case "data": {
          const take = Math.min(remaining, chunk.length - i);
          yield chunk.subarray(i, i + take);
          i += take;
          remaining -= take;
          if (remaining === 0) {
            state = "crlf";
            crlfSeen = 0;
          }
          break;
        }
        case "crlf": {
          const expected = crlfSeen === 0 ? CR : LF;
          if (chunk[i] !== expected) throw broken("missing CRLF after chunk data");
          i++;
          if (++crlfSeen === 2) state = "header";
          break;
        }
        case "done":
          // Bytes after the final blank line: ignore (clients do not send any).
          i = chunk.length;
          break;
      }
    }
  }
  // A body that ends right after the zero chunk (no trailer section) is fine.
  if (state === "data" || state === "crlf" || (state === "header" && line.length > 0)) {
    throw broken("body ended inside a chunk");
  }
  if (state === "header") throw broken("body ended before the final zero-size chunk");
}

/**
 * The request body as an async iterable of decoded bytes (empty for no body).
 * Trailer lines of an `aws-chunked` body go to `onTrailer` once it is read.
 * A body whose request signed its SHA-256 (`x-amz-content-sha256` in hex)
 * is checked against it once read, as S3 does: other bytes throw
 * `XAmzContentSHA256Mismatch` (400) before the last chunk is passed on, so
 * nothing of it is stored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyChunks } from "./request_body.ts";
 * const req = new Request("http://x/", { method: "PUT", body: "hi" });
 * let n = 0;
 * for await (const c of bodyChunks(req)) n += c.length;
 * assert(n === 2);
 * ```
 */
export function bodyChunks(
  req: Request,
  onTrailer?: (name: string, value: string) => void,
): AsyncIterable<Uint8Array> {
  const body: AsyncIterable<Uint8Array> = req.body ?? emptyBody();
  if (isAwsChunked(req.headers)) return decodeAwsChunked(body, onTrailer);
  const signed = req.headers.get("x-amz-content-sha256")?.trim().toLowerCase();
  return signed !== undefined && /^[0-9a-f]{64}$/.test(signed)
    ? checkedSha256(body, signed, announcedSize(req.headers) ?? Infinity)
    : body;
}

// `body`, each chunk held back until the next one arrives, so that the last
// is passed on only once the whole body matched `expected` (hex SHA-256).
async function* checkedSha256(
  body: AsyncIterable<Uint8Array>,
  expected: string,
  size: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  const hash = digestFor("sha256", size);
  let held: Uint8Array | undefined;
  for await (const chunk of body) {
    if (held !== undefined) yield held;
    hash.update(chunk);
    held = chunk;
  }
  const got = hash.digest("hex");
  if (got !== expected) {
    throw new S3Error(
      "XAmzContentSHA256Mismatch",
      `The provided 'x-amz-content-sha256' header does not match what was computed: ` +
        `${expected} sent, ${got} received`,
    );
  }
  if (held !== undefined) yield held;
}

// deno-lint-ignore require-yield
async function* emptyBody(): AsyncGenerator<Uint8Array, void, undefined> {
  return;
}

/**
 * The decoded body size announced by the client, when it announced one
 * (`x-amz-decoded-content-length` for aws-chunked, else `Content-Length`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { announcedSize } from "./request_body.ts";
 * assert(announcedSize(new Headers({ "content-length": "5" })) === 5);
 * assert(announcedSize(new Headers()) === undefined);
 * ```
 */
export function announcedSize(headers: Headers): number | undefined {
  const value = isAwsChunked(headers)
    ? headers.get("x-amz-decoded-content-length")
    : headers.get("content-length");
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * Reads a small request body (XML) into memory, refusing more than `limit` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSmallBody } from "./request_body.ts";
 * const req = new Request("http://x/", { method: "POST", body: "<a/>" });
 * assert((await readSmallBody(req, 100)).length === 4);
 * ```
 */
export async function readSmallBody(req: Request, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(req)) {
    size += chunk.length;
    if (size > limit) {
      throw new S3Error(
        "MaxMessageLengthExceeded",
        `request body is larger than ${limit} bytes`,
      );
    }
    parts.push(chunk);
  }
  return concatBytes(parts, size);
}

/**
 * Reads and discards whatever is left of a request body, so the connection
 * stays usable after an early error response. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drainBody } from "./request_body.ts";
 * const req = new Request("http://x/", { method: "PUT", body: "ignored" });
 * await drainBody(req);
 * assert(req.bodyUsed);
 * ```
 */
export async function drainBody(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  try {
    for await (const _ of req.body) {
      // discard
    }
  } catch {
    // the client went away; nothing to drain
  }
}

/**
 * Decodes a `Content-MD5` header (base64 of 16 bytes) to hex, throwing
 * `InvalidDigest` for anything else. `null` stays `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentMd5Hex } from "./request_body.ts";
 * assert(contentMd5Hex("1B2M2Y8AsgTpgAmY7PhCfg==") === "d41d8cd98f00b204e9800998ecf8427e");
 * ```
 */
export function contentMd5Hex(header: string | null): string | undefined {
  if (header === null) return undefined;
  let binary: string;
  try {
    binary = atob(header.trim());
  } catch {
    binary = "";
  }
  if (binary.length !== 16) {
    throw new S3Error("InvalidDigest", `The Content-MD5 you specified is not valid: ${header}`);
  }
  let hex = "";
  for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}
