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

/**
 * The error for a variable whose value is not valid UTF-8 (`Deno.env.get`
 * throws `InvalidData` for it, naming no variable), or `undefined` for any
 * other `error`. Readers that take a denied variable for unset used to take
 * this one for denied too: the command line warned of a missing
 * `--allow-env` and went on with the default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envNotUtf8 } from "./env_option.ts";
 * const bad = envNotUtf8("VC_CACHE_DIR", new Deno.errors.InvalidData("not valid unicode"));
 * assert.match(bad?.message ?? "", /^VC_CACHE_DIR is not valid UTF-8/);
 * assert.equal(envNotUtf8("VC_CACHE_DIR", new Deno.errors.NotCapable("denied")), undefined);
 * ```
 */
export function envNotUtf8(name: string, error: unknown): InvalidInputError | undefined {
  if (!(error instanceof Deno.errors.InvalidData)) return undefined;
  return new InvalidInputError(
    `${name} is not valid UTF-8: vc reads it as text (a value written in another encoding, ` +
      `such as Latin-1?); set it again in UTF-8`,
    { cause: error },
  );
}
