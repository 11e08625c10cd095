/**
 * How {@linkcode FsStore} lays keys out on disk: key validation, the names of
 * its internal files, and S3 key order.
 *
 * Every internal file starts with {@linkcode INTERNAL_PREFIX} (sidecars,
 * locks) or is a temp file named by `atomic_write.ts`
 * (`.<name>.vc-tmp-<pid>-<random>`). No key may contain a segment of either
 * form, so internal files never collide with objects and are easy to hide
 * from listings.
 *
 * @module
 */
import { tempNameProblem } from "../atomic_write.ts";
import { InvalidInputError } from "../errors.ts";
import { fsPlatform } from "../fs_platform.ts";
import { foldName, windowsNameProblem } from "../file_names.ts";
import { quoted } from "../printable.ts";
import { MAX_KEY_BYTES } from "./object_rules.ts";
import { checkDotSegments } from "../uri.ts";

/** Prefix of every file FsStore keeps beside the data; reserved in keys. */
export const INTERNAL_PREFIX = ".vc~";

/**
 * Longest key segment in UTF-8 bytes: 255 (the usual file name limit) minus
 * the 15 bytes of the sidecar name's decoration (`.vc~meta~` + `.json`), so
 * every object's sidecar can be created too.
 */
export const MAX_SEGMENT_BYTES = 240;

const encoder = new TextEncoder();

// deno-lint-ignore no-control-regex -- control characters are exactly what we reject
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Splits a key into its path segments, or throws `InvalidInputError` naming the
 * key (and `where`, the store) when it cannot be stored as a file under the root: empty, longer than
 * 1024 UTF-8 bytes, not well-formed Unicode, a leading `/`, a backslash, a
 * control character, an empty / `.` / `..` segment, a segment starting with
 * the reserved `.vc~` or shaped like a temp file name
 * (`.<name>.vc-tmp-<pid>-<random>`), in any letter case (where names fold,
 * `.VC~META~x.csv.json` is the sidecar of `x.csv`), or a segment longer than
 * {@linkcode MAX_SEGMENT_BYTES}. On Windows (`fsPlatform.windowsNames`) also
 * a segment that is no file name there (`windowsNameProblem`): written, key
 * `a.csv:x` would be an alternate data stream of `a.csv`, `nul` the null
 * device (a put "succeeds", nothing is kept) and `a.` the file `a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keySegments } from "./fs_layout.ts";
 * assert(keySegments("a/b/c.csv").join("|") === "a|b|c.csv");
 * let rejected = false;
 * try {
 *   keySegments("../etc/passwd");
 * } catch {
 *   rejected = true;
 * }
 * assert(rejected);
 * ```
 */
export function keySegments(key: string, where?: string): string[] {
  // A `.`/`..` segment: refused as every store refuses it, in its words.
  if (typeof key === "string" && key.isWellFormed() && key.length <= MAX_KEY_BYTES) {
    checkDotSegments(key, where ?? "the store");
  }
  const reason = keyProblem(key);
  if (reason !== undefined) {
    // Named in part when long (a 1024-byte key buried the reason), and with
    // the store, as `S3Store` names it, since the key is often one vc made
    // from what the user typed (a versioned path's key).
    const shown = typeof key === "string" ? quoted(key) : JSON.stringify(key);
    throw new InvalidInputError(
      `invalid key ${shown}${where === undefined ? "" : ` in ${where}`}: ${reason}`,
    );
  }
  return key.split("/");
}

/**
 * True when `segment` could be one path segment of a valid key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isValidSegment } from "./fs_layout.ts";
 * assert(isValidSegment("data.csv"));
 * assert(!isValidSegment("..") && !isValidSegment(".vc~meta~x.json"));
 * assert(!isValidSegment(".x.csv.vc-tmp-12-abcdefgh"));
 * ```
 */
export function isValidSegment(segment: string): boolean {
  return segmentProblem(segment) === undefined && segment.isWellFormed() &&
    !segment.includes("/") && !segment.includes("\\") && !CONTROL_CHARS.test(segment);
}

/**
 * Why `segment` (a file or directory name found in the store's directory)
 * cannot be a key's segment, or `undefined` when it can: the reason a
 * listing gives for the entry it skips, rather than skipping it unsaid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentKeyProblem } from "./fs_layout.ts";
 * assert.equal(segmentKeyProblem("q\\r"), "backslashes are not allowed");
 * assert.equal(segmentKeyProblem("ok.txt"), undefined);
 * ```
 */
export function segmentKeyProblem(segment: string): string | undefined {
  if (isValidSegment(segment)) return undefined;
  return keyProblem(segment) ?? "not a name a key can have";
}

function keyProblem(key: string): string | undefined {
  if (typeof key !== "string" || key.length === 0) return "keys must not be empty";
  if (!key.isWellFormed()) return "not well-formed Unicode (lone surrogate)";
  if (encoder.encode(key).length > MAX_KEY_BYTES) {
    return `longer than ${MAX_KEY_BYTES} UTF-8 bytes`;
  }
  if (key.startsWith("/")) return "keys must not start with '/'";
  if (key.includes("\\")) return "backslashes are not allowed";
  if (CONTROL_CHARS.test(key)) return "control characters are not allowed";
  for (const segment of key.split("/")) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function segmentProblem(segment: string): string | undefined {
  if (segment === "") return "empty path segment (leading, trailing or doubled '/')";
  if (segment === "." || segment === "..") return `'${segment}' segments are not allowed`;
  if (isReservedName(segment)) {
    return `segments starting with '${INTERNAL_PREFIX}' (in any letter case) are reserved for ` +
      "vc's internal files";
  }
  // In any letter case too (`tempNameProblem` folded): where names fold,
  // `.A.CSV.VC-TMP-0-SHARED` is a temp file of `a.csv`.
  if (tempNameProblem(segment, true) !== undefined) {
    return "names of the form '.<name>.vc-tmp-<pid>-<random>' (in any letter case) are reserved " +
      "for vc's temp files";
  }
  if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) {
    return `path segment longer than ${MAX_SEGMENT_BYTES} UTF-8 bytes`;
  }
  if (fsPlatform.windowsNames) {
    const why = windowsNameProblem(segment);
    if (why !== undefined) return `path segment ${JSON.stringify(segment)} ${why}`;
  }
  return undefined;
}

/**
 * Whether `segment` starts with {@linkcode INTERNAL_PREFIX} in any letter
 * case: vc's own files are named in lower case, and where file names ignore
 * case (macOS, Windows, an SMB share) `.VC~META~x.csv.json` is the sidecar
 * of `x.csv`. Refused as a key's segment on every platform, so a store keeps
 * its meaning when its directory moves to one that folds names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isReservedName } from "./fs_layout.ts";
 * assert(isReservedName(".vc~meta~x.csv.json") && isReservedName(".VC~Lock~x.csv"));
 * assert(!isReservedName(".vcs~x") && !isReservedName("x.vc~"));
 * ```
 */
export function isReservedName(segment: string): boolean {
  return segment.slice(0, INTERNAL_PREFIX.length).toLowerCase() === INTERNAL_PREFIX;
}

/**
 * Whether `found`, the name a file system gives the file or directory it
 * opened for `name` (its real path's component), is another key's spelling
 * of it: the two differ only in letter case (`Data.csv` for `data.csv`),
 * which only a file system that folds names (macOS, Windows, an SMB share)
 * opens as one. Writing `name` there would replace, or delete, the other
 * key's object. Names that differ only in Unicode form are not told apart:
 * HFS+ stores every name decomposed, so that is how it spells a key's own
 * file (`vc add` refuses such lookalike paths instead).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSpellingTwin } from "./fs_layout.ts";
 * assert(isSpellingTwin("data.csv", "Data.csv"));
 * assert(!isSpellingTwin("data.csv", "data.csv"));
 * assert(!isSpellingTwin("caf\u00e9", "cafe\u0301")); // HFS+'s own spelling
 * assert(!isSpellingTwin("data.csv", "other.csv")); // a link's target: no twin
 * ```
 */
export function isSpellingTwin(name: string, found: string): boolean {
  return found !== name && found.normalize("NFC") !== name.normalize("NFC") &&
    foldName(found) === foldName(name);
}

/**
 * Name of the metadata sidecar of the object whose file is named `base`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sidecarName } from "./fs_layout.ts";
 * assert(sidecarName("c.csv") === ".vc~meta~c.csv.json");
 * ```
 */
export function sidecarName(base: string): string {
  return `${INTERNAL_PREFIX}meta~${base}.json`;
}

/**
 * The name of the object file whose sidecar is named `name` (the inverse of
 * {@linkcode sidecarName}), or undefined when `name` is no sidecar's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sidecarBase } from "./fs_layout.ts";
 * assert(sidecarBase(".vc~meta~c.csv.json") === "c.csv");
 * assert(sidecarBase(".vc~lock~c.csv") === undefined);
 * ```
 */
export function sidecarBase(name: string): string | undefined {
  const head = `${INTERNAL_PREFIX}meta~`;
  const tail = ".json";
  return name.startsWith(head) && name.endsWith(tail) && name.length > head.length + tail.length
    ? name.slice(head.length, name.length - tail.length)
    : undefined;
}

/**
 * Name of the lock file that serialises writes to the object named `base`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockName } from "./fs_layout.ts";
 * assert(lockName("c.csv") === ".vc~lock~c.csv");
 * ```
 */
export function lockName(base: string): string {
  return `${INTERNAL_PREFIX}lock~${base}`;
}

/**
 * Whether `name` (a file name) is one vc itself writes into a directory
 * store or beside a repository's store (a sidecar, a lock, a legacy temp
 * file, the `.vc~repo.sqlite` catalog), rather than merely a name with the
 * reserved {@linkcode INTERNAL_PREFIX} that a user chose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStoreOwnName } from "./fs_layout.ts";
 * assert(isStoreOwnName(".vc~meta~c.csv.json"));
 * assert(isStoreOwnName(".vc~lock~c.csv"));
 * assert(!isStoreOwnName(".vc~notes.txt"));
 * ```
 */
export function isStoreOwnName(name: string): boolean {
  return sidecarBase(name) !== undefined ||
    [lockName(""), `${INTERNAL_PREFIX}tmp~`, `${INTERNAL_PREFIX}repo.sqlite`].some((p) =>
      name.startsWith(p)
    );
}

/**
 * Compares keys in UTF-8 byte order (S3's listing order), which is code point
 * order. Plain `<` on JS strings compares UTF-16 code units and puts
 * U+E000..U+FFFF after astral characters (emoji), which S3 does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareKeys } from "./fs_layout.ts";
 * const keys = ["\u{1F600}", "\uFF21", "a/b", "a.b", "Z"].sort(compareKeys);
 * assert(keys.join(" ") === "Z a.b a/b \uFF21 \u{1F600}");
 * ```
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Moves surrogates (0xD800..0xDFFF, i.e. astral code points) above the BMP's
// 0xE000..0xFFFF so that code unit order becomes code point order. Only the
// first differing unit matters, so looking at single units is enough.
function codeUnitRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
