/**
 * The check of `downloadToFile`'s options, apart from the downloader so the
 * asset cache checks its `download` tuning with it without loading the
 * download code (a warm `vc path` never downloads).
 *
 * @module
 */
import { InvalidInputError } from "./errors.ts";
import {
  checkFunction,
  checkOptions,
  checkPositiveInteger,
  describeValue,
  type OptionNames,
} from "./options_check.ts";
import type { DownloadOptions } from "./store/download.ts";

/** The options `downloadToFile` takes. */
export const DOWNLOAD_OPTIONS: OptionNames<DownloadOptions> = {
  expected: true,
  concurrency: true,
  partSize: true,
  parallelThreshold: true,
  attempts: true,
  onProgress: true,
  signal: true,
  uri: true,
  integrity: true,
  knownPartSizes: true,
  mode: true,
};

/** The tuning `AssetCache`'s `download` option takes (see `AssetCacheOptions`). */
export const DOWNLOAD_TUNING_OPTIONS: OptionNames<
  Pick<DownloadOptions, "concurrency" | "partSize" | "parallelThreshold" | "attempts">
> = { concurrency: true, partSize: true, parallelThreshold: true, attempts: true };

/**
 * Refuses what `downloadToFile` (`what`) would otherwise misread: a misspelt key
 * ignored, a `concurrency` or `partSize` of NaN that fetched nothing and
 * then blamed the content ("does not match its ETag"), `attempts: NaN` that
 * retried corrupt content forever, a `mode` that is no file mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDownloadOptions } from "./download_options_check.ts";
 * checkDownloadOptions("downloadToFile()", { concurrency: 4, parallelThreshold: Infinity });
 * assert.throws(() => checkDownloadOptions("downloadToFile()", { concurrency: NaN }), /concurrency must be a positive integer, got NaN/);
 * assert.throws(() => checkDownloadOptions("downloadToFile()", { atempts: 2 } as never), /did you mean "attempts"/);
 * ```
 */
export function checkDownloadOptions(
  what: string,
  options: DownloadOptions | undefined,
  known: Readonly<Record<string, true>> = DOWNLOAD_OPTIONS,
): void {
  checkOptions(what, options, known);
  if (options === undefined) return;
  const { concurrency, partSize, attempts, parallelThreshold, mode, onProgress } = options;
  for (
    const [name, value] of [["concurrency", concurrency], ["partSize", partSize], [
      "attempts",
      attempts,
    ]] as const
  ) checkPositiveInteger(`${what}: the option ${name}`, value);
  // Infinity is meaningful here: never split into ranged GETs.
  if (
    parallelThreshold !== undefined &&
    !(typeof parallelThreshold === "number" && parallelThreshold >= 0)
  ) {
    throw new InvalidInputError(
      `${what}: the option parallelThreshold must be a non-negative number of bytes, got ${
        describeValue(parallelThreshold)
      }`,
    );
  }
  if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)) {
    throw new InvalidInputError(
      `${what}: the option mode must be a file mode in 0..0o7777 (e.g. 0o600), got ${
        describeValue(mode)
      }`,
    );
  }
  if (onProgress !== undefined) {
    checkFunction(`${what}: the option onProgress`, onProgress);
  }
}
