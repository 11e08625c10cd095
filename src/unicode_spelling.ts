/**
 * Two spellings of one name in Unicode: `é` precomposed (NFC) and `e` + a
 * combining accent (NFD) look identical in every listing, and macOS file
 * systems take them for one file name, yet they are different strings,
 * hence different manifest entries, repository paths and object keys. The
 * versioned cache and the repository ask here whether a name they are given
 * is such a twin of one they already hold.
 *
 * @module
 */

/**
 * The name of `known` spelled like `name` once both are in NFC, but with
 * other code points; `undefined` when there is none, or when `name` itself
 * is known (it is then no new spelling).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unicodeLookalike } from "./unicode_spelling.ts";
 * const nfc = "/caf\u00e9.txt", nfd = "/cafe\u0301.txt";
 * assert.equal(unicodeLookalike(nfd, ["/a.txt", nfc]), nfc);
 * assert.equal(unicodeLookalike(nfd, [nfc, nfd]), undefined);
 * assert.equal(unicodeLookalike("/cafe.txt", [nfc]), undefined);
 * ```
 */
export function unicodeLookalike(name: string, known: Iterable<string>): string | undefined {
  const nfc = name.normalize("NFC");
  let twin: string | undefined;
  for (const k of known) {
    if (k === name) return undefined;
    if (twin === undefined && k.normalize("NFC") === nfc) twin = k;
  }
  return twin;
}

/**
 * The spellings worth looking up for `name`'s twins where nothing indexes
 * them (a bucket listed by key): its NFC and NFD forms where they differ
 * from it (none for a name all in ASCII).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { otherSpellings } from "./unicode_spelling.ts";
 * assert.deepEqual(otherSpellings("/caf\u00e9"), ["/cafe\u0301"]);
 * assert.deepEqual(otherSpellings("/a.csv"), []);
 * ```
 */
export function otherSpellings(name: string): string[] {
  return [...new Set([name.normalize("NFC"), name.normalize("NFD")])].filter((s) => s !== name);
}

/**
 * What a catalog keeps beside `name` to find its twins by index: its NFC
 * form when that differs from it, `null` when `name` is in NFC (it is then
 * its own key, found by itself). A name all in ASCII is always in NFC, yet
 * has twins too (`K` and the Kelvin sign `\u212A`), so every spelling of
 * one name is found by looking up its NFC form both as a name and as a key,
 * whatever mix of composed and decomposed letters each spelling holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spellingKey } from "./unicode_spelling.ts";
 * assert.equal(spellingKey("/caf\u00e9"), null);
 * assert.equal(spellingKey("/cafe\u0301/caf\u00e9"), "/caf\u00e9/caf\u00e9");
 * assert.equal(spellingKey("/\u212A.txt"), "/K.txt");
 * assert.equal(spellingKey("/a.csv"), null);
 * ```
 */
export function spellingKey(name: string): string | null {
  const nfc = name.normalize("NFC");
  return nfc === name ? null : nfc;
}

/**
 * How two spellings of one name (one NFC form) differ, for a message: by
 * composed vs decomposed letters ("NFC vs NFD"), and/or by a character that
 * stands for another (the Kelvin sign `\u212A` for `K`, the Ohm sign for
 * `Ω`: NFC and NFD alike replace it, so neither spelling is "the NFD one").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spellingDifference } from "./unicode_spelling.ts";
 * assert.equal(spellingDifference("/caf\u00e9", "/cafe\u0301"), "NFC vs NFD");
 * assert.equal(
 *   spellingDifference("/\u212A.txt", "/K.txt"),
 *   '"\\u212a" for "K": a character Unicode takes for another',
 * );
 * ```
 */
export function spellingDifference(a: string, b: string): string {
  // Per code point: a character NFC replaces even on its own.
  const standIns = [...new Set([...a, ...b])].filter((c) => c.normalize("NFC") !== c);
  const plain = (s: string) =>
    [...s].map((c) => standIns.includes(c) ? c.normalize("NFC") : c).join("");
  const kinds: string[] = [];
  if (plain(a) !== plain(b)) kinds.push("NFC vs NFD");
  if (standIns.length > 0) {
    const which = standIns.map((c) =>
      `${escapedUnicode(c)} for ${escapedUnicode(c.normalize("NFC"))}`
    );
    kinds.push(
      `${which.join(", ")}: ${standIns.length === 1 ? "a character" : "characters"} Unicode ` +
        `takes for ${standIns.length === 1 ? "another" : "others"}`,
    );
  }
  return kinds.join(", and ");
}

/**
 * `text` as a JSON string with every non-ASCII character written as
 * `\uXXXX`, so two spellings of one name differ visibly in a message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapedUnicode } from "./unicode_spelling.ts";
 * assert.equal(escapedUnicode("/cafe\u0301"), '"/cafe\\u0301"');
 * ```
 */
export function escapedUnicode(text: string): string {
  return nonAsciiEscaped(JSON.stringify(text));
}

// Every UTF-16 code unit outside ASCII as a `\uXXXX` escape.
function nonAsciiEscaped(text: string): string {
  return text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The names of `names` that are Unicode twins of an earlier one, as
 * `"a" and "b" (kind)` pairs joined by `; `, or undefined when there are
 * none: for a listing's warning (they look the same, yet are different
 * entries). `spelling` gives the text compared (default: the name itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookalikePairs } from "./unicode_spelling.ts";
 * assert.equal(
 *   lookalikePairs(["/caf\u00e9", "/a", "/cafe\u0301"]),
 *   String.raw`"/caf\u00e9" and "/cafe\u0301" (NFC vs NFD)`,
 * );
 * assert.equal(lookalikePairs(["/a", "/b"]), undefined);
 * ```
 */
export function lookalikePairs(
  names: Iterable<string>,
  spelling: (name: string) => string = (name) => name,
): string | undefined {
  const seen = new Map<string, string>();
  const pairs: string[] = [];
  for (const name of names) {
    const key = spelling(name).normalize("NFC");
    const other = seen.get(key);
    // Two names spelled alike (once `spelling` has decoded them) differ in
    // no Unicode way: not twins in the sense of this warning.
    if (other !== undefined && other !== name && spelling(other) !== spelling(name)) {
      const kind = spellingDifference(spelling(other), spelling(name));
      // Escaped: printed as they are, the two would look the same again.
      pairs.push(`${escapedUnicode(other)} and ${escapedUnicode(name)} (${kind})`);
    } else seen.set(key, name);
  }
  return pairs.length === 0 ? undefined : pairs.join("; ");
}

/**
 * How to show each of `names` in a listing where each is a line of its own:
 * as it is, or, when another of `names` is its Unicode twin, with every
 * character outside ASCII as a `\uXXXX` escape (two lines that look the
 * same would not say which entry each is). `spelling` is as for
 * {@linkcode lookalikePairs}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spelledApart } from "./unicode_spelling.ts";
 * const shown = spelledApart(["/caf\u00e9", "/cafe\u0301", "/na\u00efve"]);
 * assert.equal(shown("/caf\u00e9"), String.raw`/caf\u00e9`);
 * assert.equal(shown("/cafe\u0301"), String.raw`/cafe\u0301`);
 * assert.equal(shown("/na\u00efve"), "/na\u00efve");
 * ```
 */
export function spelledApart(
  names: Iterable<string>,
  spelling: (name: string) => string = (name) => name,
): (name: string) => string {
  const byKey = new Map<string, Set<string>>();
  for (const name of names) {
    const key = spelling(name).normalize("NFC");
    const spellings = byKey.get(key) ?? new Set();
    spellings.add(spelling(name));
    byKey.set(key, spellings);
  }
  return (name) =>
    (byKey.get(spelling(name).normalize("NFC"))?.size ?? 0) > 1 ? nonAsciiEscaped(name) : name;
}

/**
 * `uri` with its percent-encoding decoded (as it is where that fails): a
 * `file://` URI spells its path encoded, and its twins are told apart by
 * what it names. Any other URI is returned as it is: an `s3://` URI spells
 * its key literally (`s3://b/%2e%2e%2fz` and `s3://b/%2e%2e/z` are two keys
 * that look nothing alike), so decoding it would make twins of keys that
 * differ only in a `%`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodedUri } from "./unicode_spelling.ts";
 * assert.equal(decodedUri("file:///caf%C3%A9"), "file:///caf\u00e9");
 * assert.equal(decodedUri("file:///100%"), "file:///100%");
 * assert.equal(decodedUri("s3://b/caf%C3%A9"), "s3://b/caf%C3%A9");
 * ```
 */
export function decodedUri(uri: string): string {
  if (!uri.startsWith("file:")) return uri;
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}
