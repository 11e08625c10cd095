/**
 * XML character references, shared by the S3 client (reading responses) and
 * the fake S3 server (reading requests).
 *
 * @module
 */

const NAMED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * Decodes the five predefined XML entities and numeric character references.
 * Anything else (an unknown name, a code point past U+10FFFF) goes to
 * `onUnknown`, which by default keeps it as written; a strict parser throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeXmlEntities } from "./xml_entities.ts";
 * assert(decodeXmlEntities("&lt;&#65;&#x42;&gt;") === "<AB>");
 * assert(decodeXmlEntities("&nbsp;") === "&nbsp;");
 * ```
 */
export function decodeXmlEntities(
  text: string,
  onUnknown: (entity: string) => string = (entity) => entity,
): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[A-Za-z]+);/g, (whole, name: string) => {
    if (name[0] !== "#") return NAMED[name] ?? onUnknown(whole);
    const cp = name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : onUnknown(whole);
  });
}
