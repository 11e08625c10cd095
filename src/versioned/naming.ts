/**
 * Where a versioned asset lives in its bucket. Compatible with baiji-pod
 * buckets: the version goes before the last extension of the file name.
 *
 * | path           | version | key                  |
 * | -------------- | ------- | -------------------- |
 * | `/foo/bar.csv` | `1.2.5` | `foo/bar.1.2.5.csv`  |
 * | `/a/b.tar.gz`  | `1.2.5` | `a/b.tar.1.2.5.gz`   |
 * | `/x`           | `1.2.5` | `x.1.2.5`            |
 * | `/.env`        | `1.2.5` | `.env.1.2.5`         |
 * | `/d/.cfg.json` | `1.2.5` | `d/.cfg.1.2.5.json`  |
 *
 * Leading dots do not start an extension (like `.env`, as in most file tools),
 * so a hidden file without another dot has no extension.
 *
 * Versions are exactly `MAJOR.MINOR.PATCH` (see `isVersion`), which is what
 * makes a key parse back to exactly one path and version.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { newNameProblem } from "../file_names.ts";
import { printable, quoted } from "../printable.ts";
import { describeValue, requireString } from "../options_check.ts";
import { redactUrl } from "../redact.ts";
import { assertVersion, isVersion } from "./version.ts";

/**
 * Checks a versioned path and returns it with exactly one leading `/`
 * (`foo/bar.csv` and `/foo/bar.csv` name the same asset).
 *
 * Throws `InvalidInputError` naming the path when it is empty, ends with `/`,
 * starts or ends with whitespace, contains an empty, `.` or `..` segment, a
 * backslash, a NUL or another control character (C0, DEL or C1), or a file name ending with a
 * dot (it could not round-trip through a key, and Windows drops such dots).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeVersionedPath } from "./naming.ts";
 * assert(normalizeVersionedPath("foo/bar.csv") === "/foo/bar.csv");
 * assert(normalizeVersionedPath("/foo/bar.csv") === "/foo/bar.csv");
 * ```
 */
export function normalizeVersionedPath(path: string): string {
  const bad = (why: string) =>
    new InvalidInputError(`invalid versioned path ${JSON.stringify(path)}: ${why}`);
  if (typeof path !== "string") {
    throw new InvalidInputError(
      `a versioned path must be a string (such as /foo/bar.csv), got ${describeValue(path)}`,
    );
  }
  if (path === "" || path === "/") throw bad("it is empty");
  // A URI where a path goes (`vc get s3://KEY:SECRET@b/x`): named without a
  // password or query values, which a CI log would keep.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(path)) {
    throw new InvalidInputError(
      `invalid versioned path ${
        JSON.stringify(redactUrl(path))
      }: it is a URI, not a path of the manifest (such as /foo/bar.csv)`,
    );
  }
  // C0, DEL and C1 (U+0085 is a line break to many readers), as a repo's
  // logical path (`normalizeLogicalPath`): one path, one rule.
  if (/\p{Cc}/u.test(path)) throw bad("it contains a control character");
  // A lone surrogate (a JSON `\ud800` escape) names no file and no key.
  if (!path.isWellFormed()) throw bad("it contains a lone UTF-16 surrogate (not valid Unicode)");
  if (path.includes("\\")) throw bad("it contains a backslash; use / between directories");
  // A hand-edited manifest key like " /foo/bar.csv" would otherwise name
  // another asset (a directory called " "), and Windows drops trailing spaces
  // from file names as it drops trailing dots.
  if (path !== path.trim()) throw bad("it starts or ends with whitespace");
  if (path.endsWith("/")) throw bad("it ends with /; name a file, not a directory");
  const rel = path.startsWith("/") ? path.slice(1) : path;
  for (const segment of rel.split("/")) {
    if (segment === "") throw bad("it contains an empty segment (//)");
    if (segment === "." || segment === "..") throw bad(`it contains a ${segment} segment`);
  }
  if (rel.endsWith(".")) throw bad("the file name ends with a dot");
  return `/${rel}`;
}

/**
 * A versioned path about to be added to a manifest (`VersionedCache.add`):
 * {@linkcode normalizeVersionedPath}, and no name that would list as
 * another (`newNameProblem` in `file_names.ts`: an invisible or
 * bidirectional character, a noncharacter). A manifest that already pins such a path is still read, its
 * entry listed escaped and fetched: only new paths are checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNewVersionedPath } from "./naming.ts";
 * assert.equal(checkNewVersionedPath("foo/bar.csv"), "/foo/bar.csv");
 * assert.throws(() => checkNewVersionedPath("/b\u200b.csv"), /U\+200B ZERO WIDTH SPACE at index 2/);
 * assert.throws(() => checkNewVersionedPath("/a\u2067.csv"), /U\+2067 RIGHT-TO-LEFT ISOLATE/);
 * ```
 */
export function checkNewVersionedPath(path: string): string {
  const p = normalizeVersionedPath(path);
  const problem = newNameProblem(p);
  if (problem !== undefined) {
    throw new InvalidInputError(`invalid versioned path ${printable(quoted(path))}: it ${problem}`);
  }
  return p;
}

interface SplitName {
  dir: string; // "foo/" or ""
  stem: string; // "bar", "b.tar", ".env"
  ext: string; // ".csv", ".gz", ""
}

function split(normalized: string): SplitName {
  const rel = normalized.slice(1);
  const slash = rel.lastIndexOf("/");
  const dir = rel.slice(0, slash + 1);
  const name = rel.slice(slash + 1);
  const leadingDots = /^\.*/.exec(name)?.[0].length ?? 0;
  const dot = name.lastIndexOf(".");
  if (dot < leadingDots) return { dir, stem: name, ext: "" };
  return { dir, stem: name.slice(0, dot), ext: name.slice(dot) };
}

/**
 * The bucket key (no leading `/`) of `path` at `version`.
 *
 * Throws `InvalidInputError` for an invalid path or version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { versionedKey } from "./naming.ts";
 * assert(versionedKey("/foo/bar.csv", "1.2.5") === "foo/bar.1.2.5.csv");
 * assert(versionedKey("a/b.tar.gz", "1.2.5") === "a/b.tar.1.2.5.gz");
 * assert(versionedKey("/x", "1.2.5") === "x.1.2.5");
 * ```
 */
export function versionedKey(path: string, version: string): string {
  const normalized = normalizeVersionedPath(path);
  assertVersion(version, `version of ${normalized}`);
  const { dir, stem, ext } = split(normalized);
  return `${dir}${stem}.${version}${ext}`;
}

/**
 * The key prefix shared by every version of `path` (`foo/bar.` for
 * `/foo/bar.csv`). Listing it may also return other assets (`foo/bar.json`'s
 * versions, `foo/bar.old.1.0.0.csv`), so filter with {@linkcode isVersionOf}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { versionPrefix } from "./naming.ts";
 * assert(versionPrefix("/foo/bar.csv") === "foo/bar.");
 * assert(versionPrefix("x") === "x.");
 * ```
 */
export function versionPrefix(path: string): string {
  const { dir, stem } = split(normalizeVersionedPath(path));
  return `${dir}${stem}.`;
}

/** A bucket key split into the asset's path and its version. */
export interface VersionedKey {
  /** The asset's versioned path, with a leading `/`. */
  path: string;
  /** `MAJOR.MINOR.PATCH`. */
  version: string;
}

/**
 * Splits a bucket key into path and version, or returns `undefined` when the
 * key is not a versioned asset's key. A leading `/` on the key is ignored.
 *
 * Names may contain dots: the version is the three numeric components before
 * the last extension (or at the end when the name has no extension), and the
 * result must rebuild the same key with {@linkcode versionedKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionedKey } from "./naming.ts";
 * const k = parseVersionedKey("dots.in.name.0.14.6.ext");
 * assert(k?.path === "/dots.in.name.ext" && k.version === "0.14.6");
 * assert(parseVersionedKey("foo/bar.csv") === undefined);
 * ```
 */
export function parseVersionedKey(key: string): VersionedKey | undefined {
  requireString("parseVersionedKey(): the key", key);
  return splitVersionedKey(key, isVersion);
}

/**
 * The path of a key shaped as a version of it whose version has a part too
 * large to count with (`x.9007199254740993.0.0.csv`), or `undefined`. Such a
 * key is no version vc can order, so listing the versions of its path must
 * not pass over it silently: the next `update` would publish below it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oversizedVersionPath } from "./naming.ts";
 * assert.equal(oversizedVersionPath("d/x.9007199254740993.0.0.csv"), "/d/x.csv");
 * assert.equal(oversizedVersionPath("d/x.1.0.0.csv"), undefined);
 * ```
 */
export function oversizedVersionPath(key: string): string | undefined {
  const shaped = (v: string) =>
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(v) && !isVersion(v);
  return splitVersionedKey(key, shaped, (path, version) => {
    const { dir, stem, ext } = split(path);
    return `${dir}${stem}.${version}${ext}`;
  })?.path;
}

// A semantic version vc does not publish or order: a pre-release, build
// metadata or a `v` prefix (`2.0.0-rc.1`, `1.0.0+build`, `v3.0.0`), as other
// tools name versions, or a part with a leading zero (`02.0.0`, a version
// typed by hand), which a tool that reads the parts as numbers takes for
// `2.0.0`. Identifiers as semver allows them.
const FOREIGN_VERSION =
  /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** A key's version that semver orders but vc does not (see {@linkcode foreignVersionOf}). */
export interface ForeignVersion {
  /** The version as the key spells it (`2.0.0-rc.1`, `v3.0.0`). */
  version: string;
  /** Its `MAJOR.MINOR.PATCH`, without leading zeros. */
  base: string;
  /** True for a pre-release, which semver orders below its base. */
  prerelease: boolean;
}

/**
 * The version in `key` when it is shaped as a version of exactly `path` that
 * semver knows and vc does not publish: a pre-release, build metadata, a
 * `v` prefix (`foo/bar.2.0.0-rc.1.csv` of `/foo/bar.csv`) or a part with a
 * leading zero (`foo/bar.02.0.0.csv`, whose `base` is `2.0.0`). vc lists no such
 * version, but must not publish below it unawares. A leading `/` on the key
 * is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignVersionOf } from "./naming.ts";
 * assert.equal(foreignVersionOf("d/x.2.0.0-rc.1.csv", "/d/x.csv")?.version, "2.0.0-rc.1");
 * assert.equal(foreignVersionOf("d/x.02.0.0.csv", "/d/x.csv")?.base, "2.0.0");
 * assert.equal(foreignVersionOf("d/x.1.0.0.csv", "/d/x.csv"), undefined);
 * ```
 */
export function foreignVersionOf(key: string, path: string): ForeignVersion | undefined {
  const rel = key.startsWith("/") ? key.slice(1) : key;
  const { dir, stem, ext } = split(normalizeVersionedPath(path));
  const head = `${dir}${stem}.`;
  if (!rel.startsWith(head) || !rel.endsWith(ext) || rel.length <= head.length + ext.length) {
    return undefined;
  }
  const version = rel.slice(head.length, rel.length - ext.length);
  const m = FOREIGN_VERSION.exec(version);
  if (m === null || isVersion(version) || parseVersionedKey(rel) !== undefined) return undefined;
  const base = [m[1], m[2], m[3]].map((part) => part!.replace(/^0+(?=\d)/, "")).join(".");
  if (!isVersion(base)) return undefined; // a part too large: the oversized warning's
  return { version, base, prerelease: m[4] !== undefined };
}

/**
 * The bucket key another tool gives `path` at `spelled`, a semver version
 * with a pre-release or build suffix vc does not publish (`2.0.0-rc.1`), as
 * {@linkcode versionedKey} places a version; `undefined` for anything else
 * (a plain version: {@linkcode versionedKey}). For the errors that refuse such
 * a version, which name the key to read instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suffixedVersionKey } from "./naming.ts";
 * assert.equal(suffixedVersionKey("/d/x.csv", "2.0.0-rc.1"), "d/x.2.0.0-rc.1.csv");
 * assert.equal(suffixedVersionKey("/d/x.csv", "2.0.0"), undefined);
 * assert.equal(suffixedVersionKey("/d/x.csv", "v2.0.0"), undefined);
 * ```
 */
export function suffixedVersionKey(path: string, spelled: string): string | undefined {
  const m = FOREIGN_VERSION.exec(spelled);
  if (m === null || spelled.startsWith("v") || isVersion(spelled)) return undefined;
  if (!isVersion(`${m[1]}.${m[2]}.${m[3]}`)) return undefined; // a leading zero, a huge part
  const { dir, stem, ext } = split(normalizeVersionedPath(path));
  return `${dir}${stem}.${spelled}${ext}`;
}

/**
 * The path and version of `key` when it is shaped as a version of some path
 * that another tool wrote and vc does not read: a pre-release, build metadata
 * or a `v` prefix (`d/x.2.0.0-rc.1.csv` is `2.0.0-rc.1` of `/d/x.csv`), the
 * version before the last extension as {@linkcode versionedKey} places it.
 * For a listing of the whole bucket (`lsRemote`), which knows no path to ask
 * {@linkcode foreignVersionOf} about; a part with a leading zero alone does not
 * count here, as date-named files (`photo.2024.01.05.jpg`) have them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignVersionedKey } from "./naming.ts";
 * assert.equal(foreignVersionedKey("d/x.2.0.0-rc.1.csv")?.path, "/d/x.csv");
 * assert.equal(foreignVersionedKey("d/x.v3.0.0")?.version, "v3.0.0");
 * assert.equal(foreignVersionedKey("photo.2024.01.05.jpg"), undefined);
 * assert.equal(foreignVersionedKey("d/x.1.0.0.csv"), undefined);
 * ```
 */
export function foreignVersionedKey(key: string): (ForeignVersion & { path: string }) | undefined {
  requireString("foreignVersionedKey(): the key", key);
  const rel = key.startsWith("/") ? key.slice(1) : key;
  const slash = rel.lastIndexOf("/");
  const dir = rel.slice(0, slash + 1);
  const name = rel.slice(slash + 1);
  for (let dot = name.indexOf(".", 1); dot !== -1; dot = name.indexOf(".", dot + 1)) {
    const rest = name.slice(dot + 1);
    const last = rest.lastIndexOf(".");
    // Before the last extension first: `1.0.0-rc.1.csv` is itself shaped as
    // a pre-release (`rc.1.csv`).
    for (const version of last === -1 ? [rest] : [rest.slice(0, last), rest]) {
      if (!/^v|[-+]/.test(version) || !FOREIGN_VERSION.test(version)) continue;
      let path: string;
      try {
        path = normalizeVersionedPath(`/${dir}${name.slice(0, dot)}${rest.slice(version.length)}`);
      } catch {
        continue;
      }
      const found = foreignVersionOf(rel, path);
      if (found !== undefined) return { ...found, path };
    }
  }
  return undefined;
}

function splitVersionedKey(
  key: string,
  accepts: (version: string) => boolean,
  rebuild: (path: string, version: string) => string = versionedKey,
): VersionedKey | undefined {
  const rel = key.startsWith("/") ? key.slice(1) : key;
  const slash = rel.lastIndexOf("/");
  const dir = rel.slice(0, slash + 1);
  const parts = rel.slice(slash + 1).split(".");
  const n = parts.length;
  // With an extension: stem.MAJOR.MINOR.PATCH.ext; without: stem.MAJOR.MINOR.PATCH.
  // The two shapes never both rebuild the same key, so the first match is the only one.
  const candidates: Array<{ name: string; version: string }> = [];
  if (n >= 5) {
    candidates.push({
      name: `${parts.slice(0, n - 4).join(".")}.${parts[n - 1]}`,
      version: parts.slice(n - 4, n - 1).join("."),
    });
  }
  if (n >= 4) {
    candidates.push({
      name: parts.slice(0, n - 3).join("."),
      version: parts.slice(n - 3).join("."),
    });
  }
  for (const { name, version } of candidates) {
    if (!accepts(version)) continue;
    let path: string;
    try {
      path = normalizeVersionedPath(`/${dir}${name}`);
    } catch {
      continue;
    }
    if (rebuild(path, version) === rel) return { path, version };
  }
  return undefined;
}

/**
 * True when `key` is the key of some version of exactly `path`:
 * `bar.5.0.0.csv` is a version of `/bar.csv`, `barbell.5.0.0.csv` and
 * `bar.1.0.0.csv.bak` are not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isVersionOf } from "./naming.ts";
 * assert(isVersionOf("bar.5.0.0.csv", "/bar.csv"));
 * assert(!isVersionOf("barbell.5.0.0.csv", "/bar.csv"));
 * ```
 */
export function isVersionOf(key: string, path: string): boolean {
  requireString("isVersionOf(): the path", path);
  return parseVersionedKey(key)?.path === normalizeVersionedPath(path);
}
