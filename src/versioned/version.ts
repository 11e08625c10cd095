/**
 * What a version of a versioned asset is, and how two compare.
 *
 * A version is a semver version without build metadata: `MAJOR.MINOR.PATCH`
 * (three non-negative decimal integers without leading zeros or a `v`
 * prefix), optionally followed by a pre-release (`-rc.1`: dot-separated
 * identifiers of `[0-9A-Za-z-]`, numeric ones without leading zeros), which
 * semver orders below its release. That is what baiji-pod buckets hold
 * (`name.1.2.5.csv`, `name.2.0.0-rc.1.csv`). Build metadata (`+build.5`) is
 * refused: semver gives it no order, so `1.0.0+a` and `1.0.0+b` would be two
 * keys of one version. This module has no
 * dependencies on purpose: reading a manifest and resolving `vc path` need
 * only these checks, and must not pay for loading a version library.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { requireString } from "../options_check.ts";

const VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/;
/** The version `vc add` publishes when none is given. */
export const FIRST_VERSION = "1.0.0";

/**
 * True when `value` is a version: `MAJOR.MINOR.PATCH` with an optional
 * pre-release (`1.2.5`, `2.0.0-rc.1`; not `v1.2.5`, `1.2`, `01.2.5`,
 * `1.2.5+build` or `1.2.5-rc.01`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isVersion } from "./version.ts";
 * assert(isVersion("1.2.5") && isVersion("2.0.0-rc.1"));
 * assert(!isVersion("v1.2.5") && !isVersion("1.2") && !isVersion("01.2.5"));
 * assert(!isVersion("1.0.0+build.5") && !isVersion("1.0.0-rc.01"));
 * ```
 */
export function isVersion(value: string): boolean {
  const m = VERSION.exec(value);
  // Components above MAX_SAFE_INTEGER would compare wrongly as numbers (and
  // semver, which bumps versions, refuses them too).
  return m !== null && m.slice(1, 4).every((c) => Number.isSafeInteger(Number(c)));
}

/**
 * True when `value` is a version without a pre-release (`1.2.5`, not
 * `2.0.0-rc.1`): what `vc update`'s bumps start from and publish.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRelease } from "./version.ts";
 * assert(isRelease("1.2.5") && !isRelease("2.0.0-rc.1") && !isRelease("1.2"));
 * ```
 */
export function isRelease(value: string): boolean {
  return isVersion(value) && !value.includes("-");
}

/**
 * Throws `InvalidInputError` unless `value` is a `MAJOR.MINOR.PATCH` version;
 * `what` names the value in the message (e.g. `version of /foo/bar.csv`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertVersion } from "./version.ts";
 * assertVersion("1.0.0", "--version");
 * assert.throws(() => assertVersion("1.0", "--version"), /--version: "1.0" is not a version/);
 * assert.throws(() => assertVersion("9007199254740992.0.0", "--version"), /at most 9007199254740991/);
 * assert.throws(() => assertVersion("1.02.0", "--version"), /leading zero: 1\.2\.0, not 1\.02\.0/);
 * assert.throws(() => assertVersion("v1.2.0", "--version"), /without a v prefix: 1\.2\.0/);
 * assertVersion("1.2.0-rc.1", "--version");
 * assert.throws(() => assertVersion("1.2.0+ci.7", "--version"), /no build metadata/);
 * ```
 */
export function assertVersion(value: string, what: string): void {
  if (isVersion(value)) return;
  throw new InvalidInputError(
    `${what}: ${JSON.stringify(value)} is not a version${
      spellingHint(value, 3)
    }; expected MAJOR.MINOR.PATCH, e.g. 1.2.5`,
  );
}

/**
 * Why `value`, refused as a version of `parts` parts (3: `MAJOR.MINOR.PATCH`;
 * 1: `MAJOR[.MINOR[.PATCH]]`, a minimum version), is not one, as a clause
 * starting with a space, or `""` when it is not near one: the right shape
 * with a part too large to count with, or another tool's spelling of a
 * version (`1.02.0`, `v1.2.0`, `1.2.0+ci.7`, which name other keys than
 * `1.2.0`; `1.2`, which baiji-pod's `--version` took for `1.2.0`; a
 * pre-release semver refuses, `1.2.0-rc.01`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spellingHint } from "./version.ts";
 * assert.equal(spellingHint("1.2", 3), " (three parts: 1.2.0, not 1.2)");
 * assert.equal(spellingHint("1.2", 1), "");
 * assert.equal(spellingHint("01", 1), " (no part may have a leading zero: 1, not 01)");
 * assert.equal(spellingHint("v2", 1), " (without a v prefix: 2, not v2)");
 * assert.equal(spellingHint("latest", 3), "");
 * ```
 */
export function spellingHint(value: string, parts: 1 | 3): string {
  const m = /^(v?)(\d+(?:\.\d+){0,2})([-+].*)?$/i.exec(value);
  if (m === null) return "";
  const [, v, numbers, suffix] = m as unknown as [string, string, string, string | undefined];
  const nums = numbers.split(".");
  if (nums.length < parts) {
    // `1.2` for `1.2.0`: three parts, as baiji-pod's partial `--version` became.
    if (v !== "" || suffix !== undefined || nums.some((n) => /^0\d/.test(n))) return "";
    return ` (three parts: ${[...nums, "0", "0"].slice(0, 3).join(".")}, not ${value})`;
  }
  if (v === "" && suffix === undefined) {
    if (nums.some((n) => /^0\d/.test(n))) {
      const fixed = nums.map((n) => n.replace(/^0+(?=\d)/, "")).join(".");
      return ` (no part may have a leading zero: ${fixed}, not ${value})`;
    }
    if (nums.some((n) => !Number.isSafeInteger(Number(n)))) {
      return ` (each part must be at most ${Number.MAX_SAFE_INTEGER})`;
    }
    return "";
  }
  if (suffix?.startsWith("+") || suffix?.includes("+")) {
    return " (vc's versions have no build metadata: semver gives 1.2.0+a no order of its own)";
  }
  if (suffix !== undefined && parts === 1) {
    return ` (a minimum version has no pre-release: the version option ${value} publishes one)`;
  }
  if (suffix !== undefined) {
    return " (a pre-release is dot-separated identifiers of 0-9, A-Z, a-z and -, " +
      "a number without leading zeros: 1.2.0-rc.1)";
  }
  return ` (without a v prefix: ${numbers}, not ${value})`;
}

/**
 * Compares two versions: negative when `a < b`, zero when equal, positive when `a > b`.
 * Usable as an `Array.prototype.sort` comparator.
 *
 * Pre-releases sort by semver precedence, below their release
 * (`1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0`).
 * Throws `InvalidInputError` (as {@linkcode assertVersion}) for a value that
 * is not a version: `1.0.0+b`, `v1.0.0` or `1.2` compared as NaN (a sort
 * then left them anywhere), `01.0.0` and `1.0.0.5` as equal to `1.0.0`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareVersions } from "./version.ts";
 * const sorted = ["1.10.0", "1.2.0", "0.9.9"].sort(compareVersions);
 * assert(sorted.join(" ") === "0.9.9 1.2.0 1.10.0");
 * assert(compareVersions("1.0.0-rc.1", "1.0.0") < 0);
 * assert(compareVersions("1.0.0-beta.11", "1.0.0-beta.2") > 0);
 * assert(compareVersions("1.0.0-99999999999999999999", "1.0.0-99999999999999999998") > 0);
 * assert.throws(() => compareVersions("1.0.0+b", "1.0.0"), /"1\.0\.0\+b" is not a version/);
 * ```
 */
export function compareVersions(a: string, b: string): number {
  requireString("compareVersions(): the first version", a);
  requireString("compareVersions(): the second version", b);
  return compareParts(
    partsOf(a, "compareVersions(): the first version"),
    partsOf(b, "compareVersions(): the second version"),
  );
}

/**
 * `versions` sorted from lowest to highest, each checked (and split) once:
 * `sort(compareVersions)` checks both sides of every comparison, several
 * times as slow for tens of thousands of versions. Throws as {@linkcode compareVersions}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortVersions } from "./version.ts";
 * assert.deepEqual(sortVersions(new Set(["1.10.0", "1.2.0"])), ["1.2.0", "1.10.0"]);
 * ```
 */
export function sortVersions(versions: Iterable<string>): string[] {
  return Array.from(versions, (v) => ({ v, parts: partsOf(v, "version") }))
    .sort((x, y) => compareParts(x.parts, y.parts))
    .map(({ v }) => v);
}

type Parts = [number, number, number, string[] | undefined];

function partsOf(version: string, what: string): Parts {
  assertVersion(version, what);
  const dash = version.indexOf("-");
  const release = dash === -1 ? version : version.slice(0, dash);
  const [a, b, c] = release.split(".").map(Number) as [number, number, number];
  return [a, b, c, dash === -1 ? undefined : version.slice(dash + 1).split(".")];
}

// semver precedence: a pre-release sorts below its release; pre-releases
// compare identifier by identifier, numbers numerically and below words,
// words in ASCII order, a shorter list below a longer one it starts.
function compareParts(x: Parts, y: Parts): number {
  const d = x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  if (d !== 0) return d;
  const [p, q] = [x[3], y[3]];
  if (p === undefined || q === undefined) return p === q ? 0 : p === undefined ? 1 : -1;
  for (let i = 0; i < Math.min(p.length, q.length); i++) {
    const [u, v] = [p[i]!, q[i]!];
    if (u === v) continue;
    const [un, vn] = [/^\d+$/.test(u), /^\d+$/.test(v)];
    // Numbers of any length (no leading zeros: the longer is the larger),
    // exactly, where Number() would round 20 digits.
    if (un && vn) return u.length - v.length || (u < v ? -1 : 1);
    if (un !== vn) return un ? -1 : 1;
    return u < v ? -1 : 1;
  }
  return p.length - q.length;
}
