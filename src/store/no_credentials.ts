/**
 * The error of a store that has no usable credentials (none found, or keys
 * that cannot sign), told apart from a refusal of one request: it is the same
 * for every request of that store, so a caller over many items (prefill,
 * sync, lock, verify) says it once and does not try the others.
 *
 * @module
 */
import { AccessDeniedError } from "../errors.ts";
import { causes, hasCause } from "../causes.ts";

// The errors made by `noCredentialsError`: a mark, not a class, so the kind a
// script sees (`AccessDeniedError`) and the exported classes stay as they are.
const marked = new WeakSet<Error>();

/**
 * An `AccessDeniedError` saying the store has no usable credentials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNoCredentials, noCredentialsError } from "./no_credentials.ts";
 * assert(isNoCredentials(noCredentialsError("no usable AWS credentials")));
 * assert(!isNoCredentials(new Error("no usable AWS credentials")));
 * ```
 */
export function noCredentialsError(message: string, options?: ErrorOptions): AccessDeniedError {
  const error = new AccessDeniedError(message, options);
  marked.add(error);
  return error;
}

/** Whether `error` or one of its causes is a {@linkcode noCredentialsError}. */
export function isNoCredentials(error: unknown): boolean {
  return hasCause(error, (e) => marked.has(e));
}

/**
 * The failure of an item of `root` after its first no-credentials failure
 * (of `firstItem`, which says why, with `first` its cause): short, so a
 * report of many items says the long error and its hint once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNoCredentials, noCredentialsError, sameCredentialsFailure } from "./no_credentials.ts";
 * const first = noCredentialsError("GET s3://b/a: no usable AWS credentials from ...");
 * const e = sameCredentialsFailure("s3://b", "/a.csv", first);
 * assert(e.message === "no usable AWS credentials for s3://b (the failure of /a.csv says why)");
 * assert(isNoCredentials(e));
 * ```
 */
export function sameCredentialsFailure(
  root: string,
  firstItem: string,
  first: unknown,
  what?: string,
): AccessDeniedError {
  return new AccessDeniedError(
    `${what === undefined ? "" : `${what}: `}no usable AWS credentials for ${root} ` +
      `(the failure of ${firstItem} says why)`,
    { cause: first },
  );
}

/**
 * For a command over many items of a store: after the first item that fails
 * for want of credentials, the others fail at once with
 * {@linkcode sameCredentialsFailure} (asking the store again would only say
 * it again), as do those in flight when it failed. One per run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoCredentialsOnce, noCredentialsError } from "./no_credentials.ts";
 * const once = new NoCredentialsOnce();
 * let asked = 0;
 * const fail = () => { asked++; return Promise.reject(noCredentialsError("none")); };
 * await once.run("s3://b", "/a", fail).catch(() => {});
 * const second = await once.run("s3://b", "/b", fail).catch((e) => e);
 * assert(asked === 1 && second.message.includes("the failure of /a says why"));
 * ```
 */
export class NoCredentialsOnce {
  #first = new Map<string, { item: string; error: unknown }>();

  /** Runs `fn`, the store work of `item` of `root`, unless `root` has no usable credentials. */
  async run<T>(root: string, item: string, fn: () => Promise<T>): Promise<T> {
    const known = this.#first.get(root);
    if (known !== undefined) throw sameCredentialsFailure(root, known.item, known.error);
    try {
      return await fn();
    } catch (error) {
      if (!isNoCredentials(error)) throw error;
      const first = this.#first.get(root);
      if (first === undefined) this.#first.set(root, { item, error });
      // By item, not by error: a store that failed to open rejects every
      // item in flight with the one same error.
      else if (first.item !== item) throw sameCredentialsFailure(root, first.item, first.error);
      throw error;
    }
  }
}

/** A store's refusal of a request's credentials: its code and where they came from. */
export interface CredentialsRefusal {
  /** The status and S3 error code, `403 SignatureDoesNotMatch`. */
  code: string;
  /** Where the credentials came from, with the access key (`AWS_ACCESS_KEY_ID/… (access key AKIA…)`). */
  credentials: string;
}

// The errors made by `refusedCredentialsError`, with what they refused.
const refusals = new WeakMap<Error, CredentialsRefusal>();

/**
 * An `AccessDeniedError` of a request whose signature the store refused (403
 * `SignatureDoesNotMatch`: a wrong secret key). Unlike
 * {@linkcode noCredentialsError}, one such refusal may be of one key only (a
 * key signed otherwise than a server checks it): a run over many items takes
 * the store's credentials for refused only when its first items all are (see
 * `prefill`). A refusal by policy (`AccessDenied`) is never one: a policy
 * may deny the run's first keys (a prefix) and allow the rest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { credentialsRefusal, refusedCredentialsError } from "./no_credentials.ts";
 * const refusal = { code: "403 SignatureDoesNotMatch", credentials: "options" };
 * const e = refusedCredentialsError("GET s3://b/k: access denied", refusal);
 * assert.deepEqual(credentialsRefusal(new Error("wrapped", { cause: e })), refusal);
 * assert(credentialsRefusal(new Error("GET s3://b/k: access denied")) === undefined);
 * ```
 */
export function refusedCredentialsError(
  message: string,
  refusal: CredentialsRefusal,
  options?: ErrorOptions,
): AccessDeniedError {
  const error = new AccessDeniedError(message, options);
  refusals.set(error, refusal);
  return error;
}

/** The refusal of `error` or one of its causes, if one is a {@linkcode refusedCredentialsError}. */
export function credentialsRefusal(error: unknown): CredentialsRefusal | undefined {
  for (const e of causes(error)) {
    const refusal = e instanceof Error ? refusals.get(e) : undefined;
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

/**
 * The failure of an item of `root` refused as `firstItem` was (the same code,
 * the same credentials), short, so a report of many items says the long
 * error once; `what` is `not tried` for an item not asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameRefusalFailure } from "./no_credentials.ts";
 * const refusal = { code: "403 SignatureDoesNotMatch", credentials: "options" };
 * const e = sameRefusalFailure("s3://b", "s3://b/a", new Error("…"), refusal, "not tried");
 * assert.equal(
 *   e.message,
 *   "not tried: s3://b refused the credentials from options (403 SignatureDoesNotMatch) " +
 *     "(the failure of s3://b/a says why)",
 * );
 * ```
 */
export function sameRefusalFailure(
  root: string,
  firstItem: string,
  first: unknown,
  refusal: CredentialsRefusal,
  what?: string,
): AccessDeniedError {
  return new AccessDeniedError(
    `${what === undefined ? "" : `${what}: `}${root} refused the credentials from ` +
      `${refusal.credentials} (${refusal.code}) (the failure of ${firstItem} says why)`,
    { cause: first },
  );
}
