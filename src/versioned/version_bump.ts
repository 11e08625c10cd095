/**
 * How the next version of a versioned asset is chosen (`vc update`). Only
 * publishing loads this module; see `version.ts` for
 * what a version is.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { checkRequiredOptions, describeValue, type OptionNames } from "../options_check.ts";
import {
  assertVersion,
  compareVersions,
  FIRST_VERSION,
  isVersion,
  spellingHint,
} from "./version.ts";

const BUMP_OPTIONS: OptionNames<Bump> = {
  major: true,
  minor: true,
  patch: true,
  version: true,
  minVersion: true,
};

// A floor for `--min-version` may omit trailing components: "2", "1.3", "1.2.13".
const MIN_VERSION = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?$/;

/**
 * How to choose the next version. Set exactly one field:
 * - `major` / `minor` / `patch`: increment that component of the latest version;
 * - `version`: this exact version, which must be greater than the latest;
 * - `minVersion`: at least this floor (`"2"`, `"1.3"` or `"1.2.13"`, missing
 *   components are zero); a floor not above the latest gives a patch bump.
 */
export interface Bump {
  /** Increment MAJOR, reset MINOR and PATCH. */
  major?: boolean;
  /** Increment MINOR, reset PATCH. */
  minor?: boolean;
  /** Increment PATCH. */
  patch?: boolean;
  /** Publish exactly this version. */
  version?: string;
  /** Publish at least this version. */
  minVersion?: string;
}

/**
 * The version to publish after `latest` (the highest version in the bucket,
 * or `undefined` when there is none yet).
 *
 * Without a latest version, `major`/`minor`/`patch` give {@linkcode FIRST_VERSION}
 * and `version`/`minVersion` give that version (the floor padded with zeros).
 *
 * Throws `InvalidInputError` when not exactly one bump is set, when a version is
 * malformed, or when an explicit `version` is not greater than `latest`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextVersion } from "./version_bump.ts";
 * assert(nextVersion("1.2.5", { patch: true }) === "1.2.6");
 * assert(nextVersion("1.2.5", { minor: true }) === "1.3.0");
 * assert(nextVersion("1.2.5", { minVersion: "2" }) === "2.0.0");
 * assert(nextVersion("1.2.5", { minVersion: "0.3" }) === "1.2.6");
 * assert(nextVersion(undefined, { patch: true }) === "1.0.0");
 * // From a pre-release (a manifest's pin), semver's `inc`: the release it leads to.
 * assert(nextVersion("2.0.0-rc.1", { patch: true }) === "2.0.0");
 * assert(nextVersion("2.0.0-rc.1", { major: true }) === "2.0.0");
 * assert(nextVersion("1.2.5", { version: "2.0.0-rc.1" }) === "2.0.0-rc.1");
 * ```
 */
export function nextVersion(latest: string | undefined, bump: Bump): string {
  // `{ patch: true, mnor: true }` would otherwise be a patch bump, silently.
  checkRequiredOptions("the bump", bump, BUMP_OPTIONS);
  // `{ major: "false" }` from plain JavaScript would otherwise bump the major.
  for (const key of ["major", "minor", "patch"] as const) {
    const value: unknown = bump[key];
    if (value !== undefined && typeof value !== "boolean") {
      throw new InvalidInputError(
        `the bump's ${key} must be true or false, got ${describeValue(value)}`,
      );
    }
  }
  const chosen = [
    bump.major ? "major" : undefined,
    bump.minor ? "minor" : undefined,
    bump.patch ? "patch" : undefined,
    bump.version !== undefined ? "version" : undefined,
    bump.minVersion !== undefined ? "minVersion" : undefined,
  ].filter((k) => k !== undefined);
  if (chosen.length !== 1) {
    throw new InvalidInputError(
      `choose exactly one of major, minor, patch, version or minVersion (got ${
        chosen.length === 0 ? "none" : chosen.join(", ")
      })`,
    );
  }
  if (latest !== undefined) assertVersion(latest, "latest version");

  if (bump.version !== undefined) {
    assertVersion(bump.version, "requested version");
    if (latest !== undefined && compareVersions(bump.version, latest) <= 0) {
      throw new InvalidInputError(
        `requested version ${bump.version} must be greater than the latest version ${latest}${
          letterCaseClause(bump.version, latest)
        }`,
      );
    }
    return bump.version;
  }

  if (bump.minVersion !== undefined) {
    const floor = minVersionFloor(bump.minVersion);
    if (latest === undefined) return floor;
    // A floor at or below the latest still has to publish something new, and
    // the smallest step keeps the floor's promise ("at least").
    return compareVersions(floor, latest) > 0 ? floor : increment(latest, "patch");
  }

  if (latest === undefined) return FIRST_VERSION;
  return increment(latest, bump.major ? "major" : bump.minor ? "minor" : "patch");
}

// semver's `inc` (of a release, or of a pre-release a manifest pins), without the
// npm package: `deno run` resolves every npm package its module graph can
// reach at start-up, and `vc path` reaches this module.
function increment(version: string, part: "major" | "minor" | "patch"): string {
  const dash = version.indexOf("-");
  const release = dash === -1 ? version : version.slice(0, dash);
  const [major, minor, patch] = release.split(".").map(Number) as [number, number, number];
  // From a pre-release, semver's `inc` releases it when the bump does not
  // pass it: --patch of 2.0.0-rc.1 is 2.0.0, --minor of 1.3.0-rc.1 is 1.3.0,
  // --minor of 1.3.1-rc.1 is 1.4.0.
  if (dash !== -1) {
    if (part === "patch") return release;
    if (part === "minor" && patch === 0) return release;
    if (part === "major" && minor === 0 && patch === 0) return release;
  }
  const next = part === "major"
    ? `${major + 1}.0.0`
    : part === "minor"
    ? `${major}.${minor + 1}.0`
    : `${major}.${minor}.${patch + 1}`;
  if (!isVersion(next)) {
    // That part is at its largest: say so, and what can still be published.
    const instead = part === "patch"
      ? "bump the minor version instead (the minor option)"
      : part === "minor"
      ? "bump the major version instead (the major option)"
      : "publish the file under another path";
    throw new InvalidInputError(
      `cannot increment the ${part} version of ${version}: its ${part} part is already ` +
        `${Number.MAX_SAFE_INTEGER}, the largest a version's part may be; ${instead}`,
    );
  }
  return next;
}

/**
 * The floor a `minVersion` names, its missing components zero (`"1.3"` →
 * `"1.3.0"`); throws `InvalidInputError` when it is not `MAJOR[.MINOR[.PATCH]]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { minVersionFloor } from "./version_bump.ts";
 * assert(minVersionFloor("2") === "2.0.0");
 * assert.throws(() => minVersionFloor("v2"), /is not a version \(without a v prefix: 2, not v2\)/);
 * ```
 */
export function minVersionFloor(minVersion: string): string {
  const m = MIN_VERSION.exec(minVersion);
  if (m === null || m.slice(1).some((c) => c !== undefined && !Number.isSafeInteger(+c))) {
    throw new InvalidInputError(
      `minimum version ${JSON.stringify(minVersion)} is not a version${
        spellingHint(minVersion, 1)
      }; expected MAJOR[.MINOR[.PATCH]], e.g. 2, 1.3 or 1.2.13`,
    );
  }
  return `${m[1]}.${m[2] ?? "0"}.${m[3] ?? "0"}`;
}

// Why `requested`, not above `latest`, would be above it read without case:
// SemVer compares pre-release identifiers in ASCII order (`RC` < `rc`), so
// `1.0.0-RC.2` sorts below `1.0.0-rc.1`, and `1.0.0-Rc.1` is another
// spelling of it rather than a new version. `""` when case is not why.
function letterCaseClause(requested: string, latest: string): string {
  if (requested === latest) return "";
  const lower = requested.toLowerCase();
  const order = compareVersions(lower, latest.toLowerCase());
  if (order === 0) return `: it differs from ${latest} only in letter case`;
  if (order < 0 || compareVersions(lower, latest) <= 0) return "";
  return `: pre-release identifiers compare in ASCII order, capitals below lower case: ${lower} ` +
    `sorts above ${latest}`;
}
