/**
 * The `env` option that several entry points take in place of `Deno.env`.
 *
 * @module
 */
import type { EnvReader } from "./config.ts";
import { InvalidInputError } from "./errors.ts";
import { describeValue } from "./options_check.ts";

/**
 * An environment given as an option: a function of the variable's name, or an
 * object of variables (`startFakeS3().env`, `{ AWS_REGION: "eu-west-1" }`),
 * as `AssetCache` and `resolveSettings` take it.
 */
export type EnvOption = EnvReader | Readonly<Record<string, string | undefined>>;

/**
 * The reader of an `env` option (`undefined` when it is not given), checked:
 * anything but a function or an object is an `InvalidInputError` naming
 * `what`. An object was a bare `TypeError` (`env is not a function`) where
 * `S3Store` and a PostgreSQL catalog first read a variable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envOption } from "./env_option.ts";
 * assert.equal(envOption("S3Store", { AWS_REGION: "eu-west-1" })?.("AWS_REGION"), "eu-west-1");
 * assert.equal(envOption("S3Store", undefined), undefined);
 * assert.throws(() => envOption("S3Store", "prod"), /S3Store: the option env must be/);
 * ```
 */
export function envOption(what: string, env: unknown): EnvReader | undefined {
  if (env === undefined) return undefined;
  if (typeof env === "function") return env as EnvReader;
  if (typeof env !== "object" || env === null) {
    throw new InvalidInputError(
      `${what}: the option env must be a function or an object of variables, got ${
        describeValue(env)
      }`,
    );
  }
  const variables = env as Record<string, unknown>;
  return (name) => {
    const value = variables[name];
    return typeof value === "string" ? value : undefined;
  };
}
