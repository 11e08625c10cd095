/**
 * Versions of versioned assets and how the next one is chosen.
 *
 * A version is exactly `MAJOR.MINOR.PATCH`: three non-negative decimal
 * integers without leading zeros and without a `v` prefix, pre-release or
 * build suffix. That is the format baiji-pod buckets use, and keeping it
 * strict keeps key parsing unambiguous (`name.1.2.5.csv`).
 *
 * @module
 */
// @ts-types="npm:@types/semver@^7.5.8"
import semver from "semver";
import { InvalidInputError } from "../errors.ts";

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
// A floor for `--min-version` may omit trailing components: "2", "1.3", "1.2.13".
const MIN_VERSION = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?$/;

/** The version `vc add` publishes when none is given. */
export const FIRST_VERSION = "1.0.0";

/**
 * True when `value` is a plain `MAJOR.MINOR.PATCH` version (`1.2.5`, not
 * `v1.2.5`, `1.2`, `01.2.5` or `1.2.5-rc.1`).
 *
 * @example
 * ```ts
 * import { isVersion } from "./version_bump.ts";
 * console.assert(isVersion("1.2.5"));
 * console.assert(!isVersion("v1.2.5") && !isVersion("1.2") && !isVersion("01.2.5"));
 * ```
 */
export function isVersion(value: string): boolean {
  const m = VERSION.exec(value);
  // semver refuses components above MAX_SAFE_INTEGER; so do we, so that the
  // comparison below never sees a version semver cannot handle.
  return m !== null && m.slice(1).every((c) => Number.isSafeInteger(Number(c)));
}

/**
 * Throws `InvalidInputError` unless `value` is a `MAJOR.MINOR.PATCH` version;
 * `what` names the value in the message (e.g. `version of /foo/bar.csv`).
 *
 * @example
 * ```ts
 * import { assertVersion } from "./version_bump.ts";
 * assertVersion("1.0.0", "--version");
 * try {
 *   assertVersion("1.0", "--version");
 *   throw new Error("unreachable");
 * } catch (e) {
 *   console.assert((e as Error).message.includes("--version"));
 * }
 * ```
 */
export function assertVersion(value: string, what: string): void {
  if (!isVersion(value)) {
    throw new InvalidInputError(
      `${what}: ${JSON.stringify(value)} is not a version; expected MAJOR.MINOR.PATCH, e.g. 1.2.5`,
    );
  }
}

/**
 * Compares two versions: negative when `a < b`, zero when equal, positive when `a > b`.
 * Usable as an `Array.prototype.sort` comparator.
 *
 * @example
 * ```ts
 * import { compareVersions } from "./version_bump.ts";
 * const sorted = ["1.10.0", "1.2.0", "0.9.9"].sort(compareVersions);
 * console.assert(sorted.join(" ") === "0.9.9 1.2.0 1.10.0");
 * ```
 */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

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
 * import { nextVersion } from "./version_bump.ts";
 * console.assert(nextVersion("1.2.5", { patch: true }) === "1.2.6");
 * console.assert(nextVersion("1.2.5", { minor: true }) === "1.3.0");
 * console.assert(nextVersion("1.2.5", { minVersion: "2" }) === "2.0.0");
 * console.assert(nextVersion("1.2.5", { minVersion: "0.3" }) === "1.2.6");
 * console.assert(nextVersion(undefined, { patch: true }) === "1.0.0");
 * ```
 */
export function nextVersion(latest: string | undefined, bump: Bump): string {
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
        `requested version ${bump.version} must be greater than the latest version ${latest}`,
      );
    }
    return bump.version;
  }

  if (bump.minVersion !== undefined) {
    const m = MIN_VERSION.exec(bump.minVersion);
    if (m === null || m.slice(1).some((c) => c !== undefined && !Number.isSafeInteger(+c))) {
      throw new InvalidInputError(
        `minimum version ${
          JSON.stringify(bump.minVersion)
        } is not a version; expected MAJOR[.MINOR[.PATCH]], e.g. 2, 1.3 or 1.2.13`,
      );
    }
    const floor = `${m[1]}.${m[2] ?? "0"}.${m[3] ?? "0"}`;
    if (latest === undefined) return floor;
    // A floor at or below the latest still has to publish something new, and
    // the smallest step keeps the floor's promise ("at least").
    return compareVersions(floor, latest) > 0 ? floor : increment(latest, "patch");
  }

  if (latest === undefined) return FIRST_VERSION;
  return increment(latest, bump.major ? "major" : bump.minor ? "minor" : "patch");
}

function increment(version: string, part: "major" | "minor" | "patch"): string {
  const next = semver.inc(version, part);
  if (next === null || !isVersion(next)) {
    throw new InvalidInputError(`cannot increment the ${part} version of ${version}`);
  }
  return next;
}
