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
 * ```
 */
export function jsonBodyText(bytes: Uint8Array): string | undefined {
  const wide = wideLayout(bytes);
  if (wide === undefined) return utf8OrUndefined(bytes);
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
