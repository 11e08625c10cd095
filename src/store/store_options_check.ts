/**
 * The options of the stores `openStore` opens, checked without loading a
 * store: the asset cache opens its stores at its first download, so a
 * misspelt or mistyped key of its `store` option was found there (named as
 * `openStore`'s or `S3Store`'s, never as the option given), on a warm hit
 * never, and `{ s3: { endpoint: 5 } }` was a bare `TypeError` at once.
 *
 * @module
 */
import { envOption } from "../env_option.ts";
import { InvalidInputError } from "../errors.ts";
import {
  checkClockOption,
  checkOptions,
  checkPositiveInteger,
  describeValue,
  type OptionNames,
} from "../options_check.ts";
// Type-only: erased at runtime, so this module loads no store.
import type { FsStoreOptions } from "./fs.ts";
import type { StoreOptions } from "./open.ts";
import type { S3StoreOptions } from "./s3.ts";

/** The option names `S3Store` takes. */
export const S3_STORE_OPTIONS: OptionNames<S3StoreOptions> = {
  bucket: true,
  prefix: true,
  endpoint: true,
  region: true,
  forcePathStyle: true,
  credentials: true,
  maxAttempts: true,
  multipartThreshold: true,
  partSize: true,
  concurrency: true,
  multipartCopyThreshold: true,
  copyPartSize: true,
  requestTimeoutMs: true,
  env: true,
  http1: true,
  anonymous: true,
  requestPayer: true,
  clock: true,
};

/** The option names `FsStore` takes. */
export const FS_STORE_OPTIONS: OptionNames<FsStoreOptions> = {
  sidecars: true,
  onHashProgress: true,
};

/** The option names `openStore` takes. */
export const STORE_OPTIONS: OptionNames<StoreOptions> = { s3: true, file: true };

// `s3` of `openStore`: the bucket and prefix come from the URI.
const { bucket: _, prefix: __, ...S3_CONNECTION_OPTIONS } = S3_STORE_OPTIONS;

/**
 * Throws `InvalidInputError`, naming `what` and the key, for options of
 * `openStore` (`StoreOptions`) with a key none of its stores takes, or an
 * `s3` value `S3Store` would refuse (see {@linkcode checkS3OptionValues}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkStoreOptions } from "./store_options_check.ts";
 * checkStoreOptions("AssetCache store", { s3: { region: "eu-west-1" } });
 * assert.throws(
 *   () => checkStoreOptions("AssetCache store", { s3: { regin: "eu-west-1" } }),
 *   /AssetCache store\.s3: unknown option "regin"; did you mean "region"\?/,
 * );
 * ```
 */
export function checkStoreOptions(what: string, options: unknown): void {
  checkOptions(what, options, STORE_OPTIONS);
  if (options === undefined) return;
  const { s3, file } = options as Record<string, unknown>;
  checkOptions(`${what}.s3`, s3, S3_CONNECTION_OPTIONS);
  if (s3 !== undefined) checkS3OptionValues(`${what}.s3`, s3 as Partial<S3StoreOptions>);
  checkOptions(`${what}.file`, file, FS_STORE_OPTIONS);
}

/**
 * Throws `InvalidInputError`, naming `what` and the option, for an `S3Store`
 * option of the wrong type: `endpoint` and `region` not a string,
 * `forcePathStyle`, `http1`, `anonymous` and `requestPayer` not `true` / `false`, the sizes, counts and
 * attempts not a positive integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkS3OptionValues } from "./store_options_check.ts";
 * checkS3OptionValues("S3Store", { endpoint: "http://127.0.0.1:9000", maxAttempts: 3 });
 * assert.throws(() => checkS3OptionValues("S3Store", { maxAttempts: 0 }), /maxAttempts must be/);
 * assert.throws(() => checkS3OptionValues("S3Store", { endpoint: 9000 } as never), /endpoint/);
 * ```
 */
export function checkS3OptionValues(what: string, options: Partial<S3StoreOptions>): void {
  envOption(what, options.env);
  for (const name of ["endpoint", "region"] as const) {
    const v: unknown = options[name];
    if (v !== undefined && typeof v !== "string") {
      throw new InvalidInputError(
        `${what}: the option ${name} must be a string, got ${describeValue(v)}`,
      );
    }
  }
  for (const name of ["forcePathStyle", "http1", "anonymous", "requestPayer"] as const) {
    const v: unknown = options[name];
    if (v !== undefined && typeof v !== "boolean") {
      throw new InvalidInputError(
        `${what}: the option ${name} must be true or false, got ${describeValue(v)}`,
      );
    }
  }
  for (
    const name of [
      "multipartThreshold",
      "partSize",
      "concurrency",
      "maxAttempts",
      "multipartCopyThreshold",
      "copyPartSize",
    ] as const
  ) checkPositiveInteger(`${what}: the option ${name}`, options[name]);
  checkClockOption(what, options.clock);
}
