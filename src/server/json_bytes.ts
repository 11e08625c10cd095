/**
 * The text of a `cache_id` JSON body, its encoding told from its bytes as
 * Python's `json.loads` tells it for the bytes the KBase server hands it
 * (RFC 4627 §3): a UTF-32 or UTF-16 byte order mark, else the pattern of
 * zero bytes at its start, else UTF-8. A client that sends UTF-16 (a .NET
 * `StringContent` with `Encoding.Unicode`, a PowerShell body) got its ID
 * from the KBase server; before, vc refused it as "not UTF-8".
 *
 * @module
 */
import { utf8OrUndefined } from "../utf8.ts";

type Wide = { unit: 2 | 4; big: boolean; skip: number };

/** The UTF-16/32 layout of `b`, or `undefined` for UTF-8. */
function wideLayout(b: Uint8Array): Wide | undefined {
  const [b0, b1, b2, b3] = [b[0], b[1], b[2], b[3]];
  // UTF-32 marks first: FF FE 00 00 also starts like UTF-16's FF FE.
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return { unit: 4, big: true, skip: 4 };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return { unit: 4, big: false, skip: 4 };
  if (b0 === 0xfe && b1 === 0xff) return { unit: 2, big: true, skip: 2 };
  if (b0 === 0xff && b1 === 0xfe) return { unit: 2, big: false, skip: 2 };
  if (b.length >= 4) {
    if (b0 === 0) return b1 ? { unit: 2, big: true, skip: 0 } : { unit: 4, big: true, skip: 0 };
    if (b1 === 0) {
      return b2 || b3 ? { unit: 2, big: false, skip: 0 } : { unit: 4, big: false, skip: 0 };
    }
  } else if (b.length === 2) {
    if (b0 === 0) return { unit: 2, big: true, skip: 0 };
    if (b1 === 0) return { unit: 2, big: false, skip: 0 };
  }
  return undefined;
}

/**
 * UTF-8 `bytes` in which surrogates are encoded (`ED A0 80` is U+D800), as
 * Python's `surrogatepass` decodes them (a Python client that encoded a
 * string holding a lone surrogate with it, or CESU-8), each as its UTF-16
 * unit; `undefined` when they are not UTF-8 otherwise. Strict UTF-8 refuses
 * such bytes, so the body was refused though the KBase server gave it an ID.
 */
function utf8PassingSurrogates(bytes: Uint8Array): string | undefined {
  let text = "";
  let from = 0;
  for (
    let i = bytes.indexOf(0xed);
    i >= 0 && i + 2 < bytes.length;
    i = bytes.indexOf(0xed, i + 1)
  ) {
    const [b1, b2] = [bytes[i + 1]!, bytes[i + 2]!];
    if (b1 < 0xa0 || b1 > 0xbf || (b2 & 0xc0) !== 0x80) continue;
    // 0xED is only ever a lead byte, so the bytes before it end a character.
    const before = utf8OrUndefined(bytes.subarray(from, i), from > 0);
    if (before === undefined) return undefined;
    text += before + String.fromCharCode(0xd000 | ((b1 & 0x3f) << 6) | (b2 & 0x3f));
    from = i + 3;
    i += 2;
  }
  if (from === 0) return undefined; // no surrogate: not UTF-8 at all
  const rest = utf8OrUndefined(bytes.subarray(from), true);
  return rest === undefined ? undefined : text + rest;
}

/**
 * `bytes` decoded as the KBase server's `json.loads` would (UTF-8, or
 * UTF-16/32 with or without a byte order mark; lone surrogates pass, as
 * Python's `surrogatepass` lets them), or `undefined` when they are not
 * text in that encoding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonBodyText } from "./json_bytes.ts";
 * assert.equal(jsonBodyText(new TextEncoder().encode('{"a": 1}')), '{"a": 1}');
 * // UTF-16LE with a byte order mark, as .NET's Encoding.Unicode writes it.
 * const le = new Uint8Array([0xff, 0xfe, 0x7b, 0, 0x7d, 0]);
 * assert.equal(jsonBodyText(le), "{}");
 * assert.equal(jsonBodyText(new Uint8Array([0xff, 0xfe, 0x7b])), undefined); // odd length
 * // A surrogate in UTF-8 bytes, as Python's "surrogatepass" reads it.
 * assert.equal(jsonBodyText(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])), '"\ud800"');
 * assert.equal(jsonBodyText(new Uint8Array([0x22, 0xe9, 0x22])), undefined); // Latin-1
 * ```
 */
export function jsonBodyText(bytes: Uint8Array): string | undefined {
  const wide = wideLayout(bytes);
  if (wide === undefined) return utf8OrUndefined(bytes) ?? utf8PassingSurrogates(bytes);
  const { unit, big, skip } = wide;
  if ((bytes.length - skip) % unit !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const units: number[] = [];
  for (let i = skip; i < bytes.length; i += unit) {
    if (unit === 2) {
      units.push(view.getUint16(i, !big));
      continue;
    }
    const cp = view.getUint32(i, !big);
    if (cp > 0x10ffff) return undefined;
    if (cp > 0xffff) {
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else units.push(cp);
  }
  let text = "";
  for (let i = 0; i < units.length; i += 8192) {
    text += String.fromCharCode(...units.slice(i, i + 8192));
  }
  return text;
}
