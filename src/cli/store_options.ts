/**
 * The global `--request-timeout SECONDS` and `--no-sign-request` flags as store options. Apart from
 * `settings.ts` (which builds caches and versioned caches) so that commands
 * opening stores themselves (`mirror`, `repo`, `serve`) honour the flag
 * without loading those: every command lists it, so every store a command
 * opens must use it.
 *
 * @module
 */
import type { StoreOptions } from "../store/open.ts";
import type { ObjectStore } from "../store/types.ts";
import { parseRequestTimeout } from "../store/s3_config.ts";
import { parseStoreRoot } from "../uri.ts";
import { InvalidInputError } from "../errors.ts";
import type { CommandContext } from "./command.ts";
import { flagValue } from "./errors.ts";

/**
 * Store options from the global flags (`--request-timeout SECONDS`,
 * `--no-sign-request`), for every store a command opens; without them the
 * store reads `VC_REQUEST_TIMEOUT` and `VC_S3_ANONYMOUS` itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliStoreOptions } from "./store_options.ts";
 * import { Flags } from "./args.ts";
 * assert.deepEqual(cliStoreOptions({ flags: new Flags({ "request-timeout": "5" }) }), {
 *   s3: { requestTimeoutMs: 5000 },
 * });
 * assert.deepEqual(cliStoreOptions({ flags: new Flags({ "no-sign-request": true }) }), {
 *   s3: { anonymous: true },
 * });
 * assert.deepEqual(cliStoreOptions({ flags: new Flags({}) }), {});
 * ```
 */
export function cliStoreOptions(ctx: Pick<CommandContext, "flags">): StoreOptions {
  const value = ctx.flags.string("request-timeout");
  const anonymous = ctx.flags.boolean("no-sign-request");
  if (value === undefined && !anonymous) return {};
  const requestTimeoutMs = value === undefined ? undefined : flagValue(
    "--request-timeout",
    () => parseRequestTimeout("--request-timeout", value),
  );
  return {
    s3: {
      ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
      ...(anonymous ? { anonymous } : {}),
    },
  };
}

/**
 * An `openStore` for libraries that take one (repository, mirror), with the
 * command line's store options; `undefined` without `--request-timeout` and
 * `--no-sign-request`, so they keep their default. The flag is checked here, before any work.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cliOpenStore } from "./store_options.ts";
 * import { Flags } from "./args.ts";
 * assert.equal(cliOpenStore({ flags: new Flags({}) }), undefined);
 * assert.equal(typeof cliOpenStore({ flags: new Flags({ "request-timeout": "5" }) }), "function");
 * ```
 */
export function cliOpenStore(
  ctx: Pick<CommandContext, "flags">,
): ((uri: string, extra?: StoreOptions) => Promise<ObjectStore>) | undefined {
  if (
    ctx.flags.string("request-timeout") === undefined && !ctx.flags.boolean("no-sign-request")
  ) return undefined;
  const options = cliStoreOptions(ctx);
  // Loaded when a store is opened: the warm `vc path` loads no store module.
  // `extra`: what the use needs (`forUserFiles()` for a backup file).
  return async (uri, extra) =>
    (await import("../store/open.ts")).openStore(uri, { ...options, ...extra });
}

/**
 * `uri`, when it names a place a store can be opened (`s3://bucket/prefix`,
 * `file:///dir` or a directory path); a malformed URI or another scheme
 * throws. Given by `flag`, that is a usage error naming the flag (exit 2),
 * checked before any work; from the environment variable `variable` (`flag`
 * undefined), an `InvalidInputError` naming it and the value: the value
 * alone (`location "./repo " ends with whitespace`) did not say which of
 * the shell's variables to fix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeLocationArg } from "./store_options.ts";
 * assert.equal(storeLocationArg("s3://b/p", "--repo"), "s3://b/p");
 * assert.throws(() => storeLocationArg("ftp://x", "--repo"), /--repo: unsupported scheme "ftp"/);
 * assert.throws(() => storeLocationArg("./r ", undefined, "VC_REPO"), /VC_REPO: location "\.\/r "/);
 * ```
 */
export function storeLocationArg(uri: string, flag: string | undefined, variable?: string): string {
  // parseStoreRoot refuses other schemes, malformed URIs and stray spaces, naming them.
  const check = () => (parseStoreRoot(uri), uri);
  if (flag !== undefined) return flagValue(flag, check);
  try {
    return check();
  } catch (e) {
    if (variable === undefined || !(e instanceof InvalidInputError)) throw e;
    throw new InvalidInputError(`${variable}: ${e.message}`, { cause: e });
  }
}
