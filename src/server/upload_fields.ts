/**
 * What an upload's `file` part declares about itself, checked before it is
 * stored: the filename (kept as its base name, since it comes back in
 * `Content-Disposition` and a client may save under it) and the content type
 * (it comes back as a response header, so it must be a valid media type).
 *
 * @module
 */
import { HttpError } from "./http_error.ts";
import { newNameProblem } from "../file_names.ts";
import { inertJson } from "../printable.ts";

/**
 * The filename of an entry that has no file yet. Here, not in entries.ts, so
 * the client's commands check a filename without loading the service.
 */
export const PLACEHOLDER = "placeholder";

/**
 * C0 controls, DEL and C1 controls, and the bidirectional overrides and
 * isolates (which make a name read as another: `a\u202Egnp.exe` shows as
 * `aexe.png`): never part of a name anyone means.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Longest filename kept, in characters (code points, as people count them):
 * it is stored in the entry's metadata and sent back in headers.
 */
const MAX_FILENAME = 1024;

/**
 * How the service's 400 for a file whose MD5 is not the one its client sent
 * (the `file_md5` field) starts: `CacheClient` sends such an upload again.
 */
export const DAMAGED_ON_THE_WAY = "the file was damaged on the way";

/** A short, escaped rendition of client input for an error message. */
export function quoted(value: string): string {
  // JSON escapes C0 controls only: the rest of CONTROL, and the invisible
  // characters, are shown as \uXXXX too.
  return inertJson(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

/**
 * The name to store for an uploaded file: the part after the last `/` or
 * `\` (browsers of old and some clients send a whole path, e.g.
 * `C:\Users\me\out.tsv` or `../../out.tsv`). Throws `HttpError` 400 when no
 * name is left (`dir/`, `..`, only spaces) or the name holds control
 * characters (a CR/LF smuggled in through `filename*`) or a character that
 * shows as nothing or as another (`newNameProblem` in `file_names.ts`: a
 * zero-width space, a BOM, a noncharacter), and when the name kept has
 * more than 1024 characters. Other names are kept
 * as sent, trailing dots included: a name POSIX allows; a client saving the
 * file where it is not allowed (Windows) adjusts it as it would any name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storedFilename } from "./upload_fields.ts";
 * assert.equal(storedFilename("C:\\x\\y.txt"), "y.txt");
 * assert.equal(storedFilename("../../y"), "y");
 * assert.throws(() => storedFilename("a/.."), /not a file name/);
 * assert.throws(() => storedFilename("dir/   "), /only spaces/);
 * assert.equal(storedFilename("notes."), "notes.");
 * assert.throws(() => storedFilename("a\r\nSet-Cookie: x"), /control characters/);
 * assert.throws(() => storedFilename("a\u202egnp.exe"), /"a\\u202egnp\.exe" contains control/);
 * assert.throws(() => storedFilename("a\u200b.csv"), /"a\\u200b\.csv" holds U\+200B ZERO WIDTH SPACE at index 1/);
 * assert.equal(storedFilename("d/".repeat(600) + "y"), "y");
 * assert.equal(storedFilename("😀".repeat(1024)).length, 2048);
 * assert.throws(() => storedFilename("é".repeat(1025)), /has 1025 characters, more than the 1024/);
 * ```
 */
export function storedFilename(raw: string): string {
  const base = raw.slice(Math.max(raw.lastIndexOf("/"), raw.lastIndexOf("\\")) + 1);
  // The name kept is what is limited, in characters: before, the whole name
  // sent was measured in UTF-16 units, so a path in front of a short name,
  // or 600 emoji (two units each), was refused as "longer than 1024
  // characters".
  const characters = countCodePoints(base);
  if (characters > MAX_FILENAME) {
    throw new HttpError(
      400,
      `filename ${
        quoted(base)
      } has ${characters} characters, more than the ${MAX_FILENAME} allowed`,
    );
  }
  if (base === "" || base === "." || base === "..") {
    throw new HttpError(400, `filename ${quoted(raw)} is not a file name (no base name)`);
  }
  // The API's word for "no file yet": a file stored under it would read as
  // missing to every client that follows the API (and be computed again).
  if (base === PLACEHOLDER) {
    throw new HttpError(
      400,
      `filename ${quoted(raw)} is what the API reports for "no file yet"; upload it under ` +
        "another name",
    );
  }
  // Only spaces: nothing a client could show or save it as.
  if (/^\s+$/.test(base)) {
    throw new HttpError(400, `filename ${quoted(raw)} is not a file name (only spaces)`);
  }
  if (CONTROL.test(base)) {
    throw new HttpError(400, `filename ${quoted(raw)} contains control characters`);
  }
  // A zero-width space, a word joiner, a byte order mark, a noncharacter:
  // the name would be shown (and saved by a client) as another.
  const problem = newNameProblem(base, { spaceAtEnds: true });
  if (problem !== undefined) throw new HttpError(400, `filename ${quoted(raw)} ${problem}`);
  return base;
}

/** The characters (code points) of `text`; a lone surrogate counts as one. */
function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t\\x20-\\x7e])*"';
/** RFC 9110 media-type, ASCII only (what a header value can carry everywhere). */
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|${QUOTED}))?)*$`,
);
/** Longest content type kept. */
const MAX_MEDIA_TYPE = 256;

/**
 * A content type if it is a valid RFC 9110 media type (parameters allowed,
 * ASCII only, at most 256 characters), trimmed; `undefined` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mediaType } from "./upload_fields.ts";
 * assert.equal(mediaType(" text/plain; charset=utf-8 "), "text/plain; charset=utf-8");
 * assert.equal(mediaType("text/plain; x=\u20ac"), undefined);
 * assert.equal(mediaType("not a type"), undefined);
 * ```
 */
export function mediaType(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length > MAX_MEDIA_TYPE || !MEDIA_TYPE.test(trimmed)) return undefined;
  return trimmed;
}

/**
 * The `charset` parameter of a valid media type (quotes removed, as sent
 * otherwise), or `undefined` when it names none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mediaTypeCharset } from "./upload_fields.ts";
 * assert.equal(mediaTypeCharset('text/plain; format=flowed; Charset="ISO-8859-1"'), "ISO-8859-1");
 * assert.equal(mediaTypeCharset("text/plain; xcharset=a"), undefined);
 * ```
 */
export function mediaTypeCharset(type: string): string | undefined {
  const m = new RegExp(`;[ \\t]*charset=(?:(${TOKEN})|"(${TOKEN})")[ \\t]*(?:;|$)`, "i").exec(
    type,
  );
  return m === null ? undefined : (m[1] ?? m[2]);
}

/**
 * The content type to store for an uploaded part: `undefined` when the part
 * sent none (or an empty one), the trimmed media type when valid, and
 * `HttpError` 400 naming it otherwise (stored, it would break every
 * download's headers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storedContentType } from "./upload_fields.ts";
 * assert.equal(storedContentType(undefined), undefined);
 * assert.equal(storedContentType("application/x-thing"), "application/x-thing");
 * assert.throws(() => storedContentType("text/html\u0000"), /not a valid media type/);
 * ```
 */
export function storedContentType(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const type = mediaType(value);
  if (type === undefined) {
    throw new HttpError(
      400,
      `Content-Type ${quoted(value)} of the file part is not a valid media type`,
    );
  }
  return type;
}
