/**
 * User metadata values on the wire. HTTP headers carry ASCII, so S3 answers
 * a value with other characters RFC 2047-encoded (`=?UTF-8?B?w6l0w6k=?=`
 * for `été`, as the console and the SDKs can write them) and
 * decodes such encoded words in the values it is sent.
 *
 * @module
 */

// An encoded word: charset (an RFC 2231 language suffix allowed), B or Q, text.
const ENCODED_WORD = /=\?([^?*\s]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;
// Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
const BETWEEN_WORDS = /(\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g;

/**
 * A metadata value as read from an `x-amz-meta-*` header, its RFC 2047
 * encoded words decoded. A word in a charset Deno does not know, or whose
 * bytes are not valid in it, is left as it came.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMetadataValue } from "./s3_metadata.ts";
 * assert.equal(decodeMetadataValue("=?UTF-8?B?w6l0w6k=?="), "été");
 * assert.equal(decodeMetadataValue("=?utf-8?Q?caf=C3=A9_cr=C3=A8me?="), "café crème");
 * assert.equal(decodeMetadataValue("plain"), "plain");
 * ```
 */
export function decodeMetadataValue(value: string): string {
  if (!value.includes("=?")) return value;
  return value.replace(BETWEEN_WORDS, "$1").replace(
    ENCODED_WORD,
    (word, charset: string, coding: string, text: string) => {
      try {
        const bytes = coding.toUpperCase() === "B" ? base64Bytes(text) : qBytes(text);
        return new TextDecoder(charset, { fatal: true }).decode(bytes);
      } catch {
        return word;
      }
    },
  );
}

/**
 * A metadata value as sent in an `x-amz-meta-*` header: printable ASCII as
 * it is, anything else as one RFC 2047 UTF-8 encoded word, which S3 decodes
 * (a metadata value read from an object, copied to another).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMetadataValue, encodeMetadataValue } from "./s3_metadata.ts";
 * assert.equal(encodeMetadataValue("plain"), "plain");
 * assert.equal(encodeMetadataValue("été"), "=?UTF-8?B?w6l0w6k=?=");
 * assert.equal(decodeMetadataValue(encodeMetadataValue("naïve\n")), "naïve\n");
 * ```
 */
export function encodeMetadataValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  let binary = "";
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return `=?UTF-8?B?${btoa(binary)}?=`;
}

function base64Bytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The bytes of RFC 2047's Q encoding: `_` is a space, `=XX` a byte. */
function qBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "_") bytes.push(0x20);
    else if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === "=") throw new Error("malformed Q encoding");
    else bytes.push(c.charCodeAt(0));
  }
  return new Uint8Array(bytes);
}
