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
 * Versions are `MAJOR.MINOR.PATCH`, or a semver pre-release of one
 * (`2.0.0-rc.1` → `foo/bar.2.0.0-rc.1.csv`; see `isVersion`). A key parses
 * back to exactly one path and version: a version whose key would read as
 * another path's (a pre-release of an extensionless `/x` ending in an
 * extension-like identifier, `1.0.0-rc.1.csv`) is refused.
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
  // logical path (`normalizeLogicalPath`): one path, one rule. Spelled as
  // ranges (Unicode's Cc, fixed for good), not `\p{Cc}`: a Unicode property
  // class costs ~0.2 ms of CPU to build in a fresh process (a warm `vc path`).
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  if (/[\x00-\x1f\x7f-\x9f]/.test(path)) throw bad("it contains a control character");
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
  return checkedVersionedKey(normalized, version);
}

/**
 * {@linkcode versionedKey} of a path that {@linkcode normalizeVersionedPath}
 * returned and a version `isVersion` accepts, neither checked again (a
 * parsed manifest's entries: a prefill of a thousand resolves a thousand).
 * Still throws `InvalidInputError` for a pre-release that would make a key
 * reading as another path's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkedVersionedKey } from "./naming.ts";
 * assert.equal(checkedVersionedKey("/foo/bar.csv", "1.2.5"), "foo/bar.1.2.5.csv");
 * assert.throws(() => checkedVersionedKey("/x", "1.0.0-rc.1.csv"), /choose another pre-release/);
 * ```
 */
export function checkedVersionedKey(normalized: string, version: string): string {
  const { dir, stem, ext } = split(normalized);
  const key = `${dir}${stem}.${version}${ext}`;
  if (version.includes("-")) {
    // A pre-release's dots could move the version's place when parsed back.
    const back = readBack(key);
    if (back?.path !== normalized || back.version !== version) {
      throw new InvalidInputError(
        `version of ${normalized}: ${JSON.stringify(version)} would make the key ${key}, ` +
          `which reads as ${
            back === undefined ? "no version" : `${back.path} at ${back.version}`
          }; ` +
          `choose another pre-release`,
      );
    }
  }
  return key;
}

// `key` split as a versioned key, any candidate rebuilt without the check
// `versionedKey` makes (which calls this).
function readBack(key: string): VersionedKey | undefined {
  return splitVersionedKey(key, isVersion, (p, v) => {
    const s = split(p);
    return `${s.dir}${s.stem}.${v}${s.ext}`;
  });
}

/**
 * The bucket key a new version of `path` is published at
 * ({@linkcode versionedKey}), refusing (`InvalidInputError`) a path whose
 * key would read back as another path's: a name ending in what reads as a
 * pre-release before its extension (`/d/data.2.0.0-rc.csv` at `1.0.0` is
 * `d/data.2.0.0-rc.1.0.0.csv`, which is `/d/data.csv` at `2.0.0-rc.1.0.0`),
 * whose versions no listing would find. Only publishing checks this: a key
 * of such a path already in a bucket is still read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishedKey } from "./naming.ts";
 * assert.equal(publishedKey("/d/node.v1.2.3-linux.tar.gz", "1.0.0"), "d/node.v1.2.3-linux.tar.1.0.0.gz");
 * assert.throws(() => publishedKey("/d/data.2.0.0-rc.csv", "1.0.0"), /reads back as \/d\/data\.csv at 2\.0\.0-rc\.1\.0\.0/);
 * ```
 */
export function publishedKey(path: string, version: string): string {
  const key = versionedKey(path, version);
  const normalized = normalizeVersionedPath(path);
  const back = readBack(key);
  if (back?.path === normalized && back.version === version) return key;
  const as = back === undefined ? "no versioned path" : `${back.path} at ${back.version}`;
  throw new InvalidInputError(
    `cannot publish ${normalized}: its version ${version} would be the key ${key}, which ` +
      `reads back as ${as}, so no listing would find it; give the path a name whose part ` +
      `before the extension does not end in a version (a - or _ in place of the dot before it)`,
  );
}

/**
 * The version baiji-pod's listing (`vc versions`, and the latest its `update`
 * bumps) reads in `key`: the first `.MAJOR.MINOR.PATCH` anywhere in it, as
 * its regular expression finds it (no leading zeros; a pre-release dropped),
 * or `undefined` when it finds none. vc reads keys before the last extension
 * instead; where the two differ (`d/data.2.1.0.0.csv`, 1.0.0 of
 * `/d/data.2.csv`, is 2.1.0 to baiji-pod), a bucket both tools publish to
 * shows baiji-pod other versions than vc.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { baijiPodVersionOf } from "./naming.ts";
 * assert.equal(baijiPodVersionOf("foo/bar.1.2.5.csv"), "1.2.5");
 * assert.equal(baijiPodVersionOf("d/data.2.1.0.0.csv"), "2.1.0");
 * assert.equal(baijiPodVersionOf("d/x.1.02.0.csv"), undefined);
 * ```
 */
export function baijiPodVersionOf(key: string): string | undefined {
  return /^.*?\.((?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))/s.exec(key)?.[1];
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
  /** `MAJOR.MINOR.PATCH`, or a pre-release of one (`2.0.0-rc.1`). */
  version: string;
}

/**
 * Splits a bucket key into path and version, or returns `undefined` when the
 * key is not a versioned asset's key. A leading `/` on the key is ignored.
 *
 * Names may contain dots: the version is the three numeric components (and a
 * pre-release's identifiers) before the last extension (or at the end when
 * the name has no extension), and the result must rebuild the same key with
 * {@linkcode versionedKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionedKey } from "./naming.ts";
 * const k = parseVersionedKey("dots.in.name.0.14.6.ext");
 * assert(k?.path === "/dots.in.name.ext" && k.version === "0.14.6");
 * assert(parseVersionedKey("foo/bar.csv") === undefined);
 * assert.equal(parseVersionedKey("d/x.2.0.0-rc.1.csv")?.version, "2.0.0-rc.1");
 * ```
 */
export function parseVersionedKey(key: string): VersionedKey | undefined {
  requireString("parseVersionedKey(): the key", key);
  return splitVersionedKey(key, isVersion);
}

/**
 * The path of a key shaped as a version of it whose version has a part too
 * large to count with (`x.9007199254740993.0.0.csv`), or `undefined`; also
 * with a pre-release, build metadata or a `v` prefix
 * (`x.9007199254740993.0.0-rc.1.csv`, which baiji-pod reads as
 * 9007199254740993.0.0). Such a key is no version vc can order, so listing
 * the versions of its path must not pass over it silently: the next
 * `update` would publish below it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oversizedVersionPath } from "./naming.ts";
 * assert.equal(oversizedVersionPath("d/x.9007199254740993.0.0.csv"), "/d/x.csv");
 * assert.equal(oversizedVersionPath("d/x.9007199254740993.0.0-rc.1.csv"), "/d/x.csv");
 * assert.equal(oversizedVersionPath("d/x.v1.9007199254740993.0+ci.7.csv"), "/d/x.csv");
 * assert.equal(oversizedVersionPath("d/x.1.0.0.csv"), undefined);
 * assert.equal(oversizedVersionPath("d/x.1.0.0+ci.7.csv"), undefined); // a foreign version
 * ```
 */
export function oversizedVersionPath(key: string): string | undefined {
  const shaped = (v: string) => {
    const m = FOREIGN_VERSION.exec(v);
    return m !== null && m.slice(1, 4).some((part) => !Number.isSafeInteger(Number(part)));
  };
  return splitVersionedKey(key, shaped, (path, version) => {
    const { dir, stem, ext } = split(path);
    return `${dir}${stem}.${version}${ext}`;
  })?.path;
}

// A semantic version vc does not publish or order: build metadata or a `v`
// prefix (`1.0.0+build`, `v3.0.0`, `v2.0.0-rc.1`; a plain pre-release,
// `2.0.0-rc.1`, is a version vc reads), as other
// tools name versions, or a part with a leading zero (`02.0.0`, a version
// typed by hand), which a tool that reads the parts as numbers takes for
// `2.0.0`. Identifiers as semver allows them.
const FOREIGN_VERSION =
  /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** A key's version that semver orders but vc does not (see {@linkcode foreignVersionOf}). */
export interface ForeignVersion {
  /** The version as the key spells it (`2.0.0+ci.7`, `v3.0.0`, `v2.0.0-rc.1`). */
  version: string;
  /** Its `MAJOR.MINOR.PATCH`, without leading zeros. */
  base: string;
  /** True for a pre-release (`v2.0.0-rc.1`), which semver orders below its base. */
  prerelease: boolean;
  /**
   * The key of the version whose name is a folder the key is inside
   * (`foo/bar.3.0.0.csv` of `foo/bar.3.0.0.csv/bar.csv`: an upload to a
   * path ending in `/`), when that is how the key is shaped; `version` is
   * then that version as vc spells it.
   */
  folder?: string;
}

/**
 * The version in `key` when it is shaped as a version of exactly `path` that
 * semver knows and vc does not publish: build metadata, a `v` prefix
 * (`foo/bar.2.0.0+ci.7.csv`, `foo/bar.v2.0.0-rc.1.csv` of `/foo/bar.csv`) or a part with a
 * leading zero (`foo/bar.02.0.0.csv`, whose `base` is `2.0.0`); or a key inside a
 * folder named as a version's key (`foo/bar.3.0.0.csv/bar.csv`, see
 * `ForeignVersion.folder`). vc lists no such version, but must not publish
 * below it unawares. A leading `/` on the key is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignVersionOf } from "./naming.ts";
 * assert.equal(foreignVersionOf("d/x.2.0.0+ci.7.csv", "/d/x.csv")?.version, "2.0.0+ci.7");
 * assert.equal(foreignVersionOf("d/x.2.0.0-rc.1.csv", "/d/x.csv"), undefined); // a version
 * assert.equal(foreignVersionOf("d/x.02.0.0.csv", "/d/x.csv")?.base, "2.0.0");
 * assert.equal(foreignVersionOf("d/x.1.0.0.csv", "/d/x.csv"), undefined);
 * assert.equal(foreignVersionOf("d/x.3.0.0.csv/x.csv", "/d/x.csv")?.folder, "d/x.3.0.0.csv");
 * assert.equal(foreignVersionOf("d/x.3.0.0.csv/", "/d/x.csv"), undefined); // a folder marker
 * ```
 */
export function foreignVersionOf(key: string, path: string): ForeignVersion | undefined {
  const rel = key.startsWith("/") ? key.slice(1) : key;
  const normalized = normalizeVersionedPath(path);
  const { dir, stem, ext } = split(normalized);
  const head = `${dir}${stem}.`;
  // Inside a folder named as a version's key (not the folder's own marker,
  // which holds nothing): baiji-pod's listing read such a key as that version.
  const slash = rel.startsWith(head) ? rel.indexOf("/", head.length) : -1;
  if (slash !== -1 && !rel.endsWith("/")) {
    const folder = rel.slice(0, slash);
    const inside = splitVersionedKey(folder, isVersion);
    if (inside?.path !== normalized) return undefined;
    const base = inside.version.replace(/-.*$/, "");
    return { version: inside.version, base, prerelease: base !== inside.version, folder };
  }
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
 * The version vc reads that `foreign` (see {@linkcode foreignVersionOf})
 * spells otherwise: without its `v` or build metadata, and without leading
 * zeros in its parts and numeric pre-release identifiers; the key vc reads it
 * from is `versionedKey(path, plainSpelling(foreign))`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignVersionOf, plainSpelling } from "./naming.ts";
 * const foreign = foreignVersionOf("d/x.v2.0.0-rc.02+ci.7.csv", "/d/x.csv");
 * assert.equal(plainSpelling(foreign!), "2.0.0-rc.2");
 * assert.equal(plainSpelling(foreignVersionOf("d/x.3.0.0.csv/x.csv", "/d/x.csv")!), "3.0.0");
 * ```
 */
export function plainSpelling(foreign: ForeignVersion): string {
  const pre = /^v?[^-+]*(?:-([^+]*))?/.exec(foreign.version)?.[1];
  if (pre === undefined) return foreign.base;
  const ids = pre.split(".").map((id) => /^\d+$/.test(id) ? id.replace(/^0+(?=\d)/, "") : id);
  return `${foreign.base}-${ids.join(".")}`;
}

/**
 * The bucket key another tool gives `path` at `spelled`, a semver version
 * with build metadata vc does not publish (`2.0.0+ci.7`), as
 * {@linkcode versionedKey} places a version; `undefined` for anything else
 * (a plain version: {@linkcode versionedKey}). For the errors that refuse such
 * a version, which name the key to read instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suffixedVersionKey } from "./naming.ts";
 * assert.equal(suffixedVersionKey("/d/x.csv", "2.0.0+ci.7"), "d/x.2.0.0+ci.7.csv");
 * assert.equal(suffixedVersionKey("/d/x.csv", "2.0.0-rc.1"), undefined); // a version
 * assert.equal(suffixedVersionKey("/d/x.csv", "2.0.0"), undefined);
 * assert.equal(suffixedVersionKey("/d/x.csv", "v2.0.0"), undefined);
 * ```
 */
export function suffixedVersionKey(path: string, spelled: string): string | undefined {
  const m = FOREIGN_VERSION.exec(spelled);
  // A pre-release is a version (and a malformed one is no key to name).
  if (m === null || spelled.startsWith("v") || !spelled.includes("+")) return undefined;
  if (!isVersion(`${m[1]}.${m[2]}.${m[3]}`)) return undefined; // a leading zero, a huge part
  const { dir, stem, ext } = split(normalizeVersionedPath(path));
  return `${dir}${stem}.${spelled}${ext}`;
}

/**
 * The path and version of `key` when it is shaped as a version of some path
 * that another tool wrote and vc does not read: build metadata
 * or a `v` prefix (`d/x.2.0.0+ci.7.csv` is `2.0.0+ci.7` of `/d/x.csv`), the
 * version before the last extension as {@linkcode versionedKey} places it.
 * For a listing of the whole bucket (`lsRemote`), which knows no path to ask
 * {@linkcode foreignVersionOf} about; a part with a leading zero alone does not
 * count here, as date-named files (`photo.2024.01.05.jpg`,
 * `photo.2024.01.05-final.jpg`: a pre-release is a version) have them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foreignVersionedKey } from "./naming.ts";
 * assert.equal(foreignVersionedKey("d/x.2.0.0+ci.7.csv")?.path, "/d/x.csv");
 * assert.equal(foreignVersionedKey("d/x.2.0.0-rc.1.csv"), undefined); // a version
 * assert.equal(foreignVersionedKey("d/x.v3.0.0")?.version, "v3.0.0");
 * assert.equal(foreignVersionedKey("photo.2024.01.05.jpg"), undefined);
 * assert.equal(foreignVersionedKey("photo.2024.01.05-final.jpg"), undefined);
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
    // Before the last extension first: `1.0.0+ci.1.csv` is itself shaped as
    // build metadata (`ci.1.csv`). Only a `v` prefix or build metadata count:
    // a pre-release is a version, so one with a leading zero
    // (`photo.2024.01.05-final.jpg`) is a date-named file as one without it.
    for (const version of last === -1 ? [rest] : [rest.slice(0, last), rest]) {
      if (!/^v|\+/.test(version) || !FOREIGN_VERSION.test(version)) continue;
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
  // With an extension: stem.VERSION.ext; without: stem.VERSION. A release is
  // three parts (MAJOR.MINOR.PATCH) and fits in one place; a pre-release's
  // identifiers may add parts (`x.2.0.0-rc.1.csv`), so every start is tried,
  // the longest version first, in the order that reads a pre-release key as
  // its likely path: with an extension (`x.2.0.0-rc.1.csv` is `/x.csv` at
  // 2.0.0-rc.1, not `/x` at 2.0.0-rc.1.csv), then without one, then with an
  // extension of digits only (`x.2.0.0-rc.1` is `/x` at 2.0.0-rc.1, not
  // `/x.1` at 2.0.0-rc). {@linkcode versionedKey} refuses a version whose key
  // would read as another's.
  const withExt = (start: number) => ({
    name: `${parts.slice(0, start).join(".")}.${parts[n - 1]}`,
    version: parts.slice(start, n - 1).join("."),
  });
  const candidates: Array<{ name: string; version: string }> = [];
  const digitsExt = /^\d+$/.test(parts[n - 1]!);
  if (!digitsExt) { for (let start = 1; start + 4 <= n; start++) candidates.push(withExt(start)); }
  for (let start = 1; start + 3 <= n; start++) {
    candidates.push({
      name: parts.slice(0, start).join("."),
      version: parts.slice(start).join("."),
    });
  }
  if (digitsExt) { for (let start = 1; start + 4 <= n; start++) candidates.push(withExt(start)); }
  for (const { name, version } of candidates) {
    if (!accepts(version)) continue;
    let path: string;
    try {
      path = normalizeVersionedPath(`/${dir}${name}`);
    } catch {
      continue;
    }
    let rebuilt: string;
    try {
      rebuilt = rebuild(path, version);
    } catch {
      continue; // a pre-release whose key reads back as another path's
    }
    if (rebuilt === rel) return { path, version };
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

/**
 * The path and version whose key `key` starts with when `key` goes on past it
 * and is no version itself: a backup, an editor's or a download's leftover
 * (`d/x.1.5.0.csv.bak`, `.tmp`, `.part`, `.swp`, `x.1.0.0 copy`) or a
 * compressed copy (`x.1.0.0.tar.gz`, a copy of `/x.tar`'s 1.0.0: `/x.tar.gz`'s
 * key is `x.tar.1.0.0.gz`); else `undefined`. What follows the version's key
 * starts with a character other than a letter or digit, within the file name.
 * Such a key is never a version of the path (baiji-pod's listing kept only
 * keys ending in the path's extension), but listings name it, so a renamed
 * version is not passed over in silence. A key that is a version of some
 * path exactly (`x.1.6.0.csv~` is `/x.csv~` at 1.6.0), or that another tool
 * spells as one ({@linkcode foreignVersionedKey}, {@linkcode oversizedVersionPath}),
 * is not a leftover. A leading `/` on the key is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leftoverVersionedKey } from "./naming.ts";
 * assert.deepEqual(leftoverVersionedKey("d/x.1.5.0.csv.bak"), { path: "/d/x.csv", version: "1.5.0" });
 * assert.equal(leftoverVersionedKey("d/x.1.5.0.csv"), undefined); // a version
 * assert.equal(leftoverVersionedKey("d/x.1.6.0.csv~"), undefined); // /d/x.csv~ at 1.6.0
 * assert.equal(leftoverVersionedKey("d/.DS_Store"), undefined);
 * ```
 */
export function leftoverVersionedKey(key: string): VersionedKey | undefined {
  requireString("leftoverVersionedKey(): the key", key);
  const rel = key.startsWith("/") ? key.slice(1) : key;
  if (!hasVersionShape(rel) || parseVersionedKey(rel) !== undefined) return undefined;
  const found = startedKey(rel, false);
  if (found === undefined) return undefined;
  // Another tool's spelling (`x.1.1.0+ci.7.csv`, whose `x.1.1.0` reads as
  // `/x` at 1.1.0) has its own warning.
  const foreign = foreignVersionedKey(rel) !== undefined || oversizedVersionPath(rel) !== undefined;
  return foreign ? undefined : found;
}

/**
 * The version `key`'s file name is a key of, and the rule of versioned paths
 * `key` breaks, when no path names `key` although its file name is a
 * version's (its control characters read as plain ones): a script's doubled
 * slash (`data//x.1.0.0.csv`), a `.` or `..` segment, a control character, a
 * backslash between directories (`data\\x.1.0.0.csv`). S3 keeps such a key;
 * no listing of versions can hold it, and
 * `lsRemote` names it, so a bucket holding `data//x.1.0.0.csv` does not look
 * as if `/data/x.csv` never had a 1.0.0. Else `undefined` (a version, or a
 * key that is none in any spelling). A leading `/` on the key is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unreadableVersionedKey } from "./naming.ts";
 * assert.deepEqual(unreadableVersionedKey("data//x.1.0.0.csv"), {
 *   version: "1.0.0",
 *   problem: "it contains an empty segment (//)",
 * });
 * assert.equal(unreadableVersionedKey("data/x.1.0.0.csv"), undefined);
 * assert.equal(unreadableVersionedKey("photo.2024.01.05.jpg"), undefined);
 * ```
 */
export function unreadableVersionedKey(
  key: string,
): { version: string; problem: string } | undefined {
  requireString("unreadableVersionedKey(): the key", key);
  const rel = key.startsWith("/") ? key.slice(1) : key;
  if (!hasVersionShape(rel) || parseVersionedKey(rel) !== undefined) return undefined;
  // The file name after the last `/`, or `\` (a Windows script's
  // `os.path.join`, `data\x.1.0.0.csv`).
  const start = Math.max(rel.lastIndexOf("/"), rel.lastIndexOf("\\")) + 1;
  // deno-lint-ignore no-control-regex -- the control characters normalizeVersionedPath refuses
  const name = rel.slice(start).replace(/[\x00-\x1f\x7f-\x9f]/g, "_");
  const found = parseVersionedKey(name);
  if (found === undefined) return undefined;
  const path = `/${rel}`;
  try {
    normalizeVersionedPath(path);
  } catch (e) {
    const said = `invalid versioned path ${JSON.stringify(path)}: `;
    if (e instanceof InvalidInputError && e.message.startsWith(said)) {
      return { version: found.version, problem: e.message.slice(said.length) };
    }
  }
  return undefined;
}

// No `.N.N.N` in the file name, no version's key in it (most keys of a
// bucket `ls-remote` reads): said without parsing.
function hasVersionShape(rel: string): boolean {
  return /\.\d+\.\d+\.\d/.test(rel.slice(rel.lastIndexOf("/") + 1));
}

/**
 * The path and version whose key `key` starts with and goes on past, within
 * the file name, with a character other than a letter or digit (the longest
 * such version's key: `x.1.0.0.csv.bak.old` is 1.0.0's `.bak.old`), whatever
 * `key` itself is: a leftover ({@linkcode leftoverVersionedKey}), or exactly
 * a version of another path (`x.1.6.0.csv~`, `/x.csv~` at 1.6.0: an editor's
 * backup of 1.6.0 of `/x.csv` uploaded by mistake, to vc as to baiji-pod a
 * version of `/x.csv~`, still worth naming where `/x.csv` is listed or its
 * 1.6.0 is missing). Of a key that is a version, a `.` after the shorter
 * key is that version's own extension (`x.1.0.0.csv` is `/x.csv` at 1.0.0,
 * not a copy of `/x`'s), not counted. `undefined` for none. A leading `/`
 * on the key is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startedVersionKey } from "./naming.ts";
 * assert.deepEqual(startedVersionKey("d/x.1.6.0.csv~"), { path: "/d/x.csv", version: "1.6.0" });
 * assert.deepEqual(startedVersionKey("d/x.1.5.0.csv.bak"), { path: "/d/x.csv", version: "1.5.0" });
 * assert.equal(startedVersionKey("d/x.1.5.0.csv"), undefined);
 * ```
 */
export function startedVersionKey(key: string): VersionedKey | undefined {
  requireString("startedVersionKey(): the key", key);
  const rel = key.startsWith("/") ? key.slice(1) : key;
  if (!hasVersionShape(rel)) return undefined;
  return startedKey(rel, parseVersionedKey(rel) !== undefined);
}

// `startedVersionKey` of `rel` (no leading `/`), told whether it is a version's key itself.
function startedKey(rel: string, isVersionKey: boolean): VersionedKey | undefined {
  const name = rel.lastIndexOf("/") + 1;
  for (let end = rel.length - 1; end > name; end--) {
    if (/[\p{L}\p{N}]/u.test(rel[end]!) || (isVersionKey && rel[end] === ".")) continue;
    const found = parseVersionedKey(rel.slice(0, end));
    if (found !== undefined) return found;
  }
  return undefined;
}
