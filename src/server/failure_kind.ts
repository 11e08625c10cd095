/**
 * The kind of a cache service's failed answer (see `errorKind` in
 * ../errors.ts), for `CacheServiceError`'s cause: the error keeps its class
 * and `status` for callers that catch it, while `errorKind` (so the `kind`
 * of `--json`'s error document) tells a refused token from a service that
 * is down. Every one of them was `VcError`, which a CI script could not
 * branch on.
 *
 * @module
 */
import { AccessDeniedError, InvalidInputError, StoreError, type VcError } from "../errors.ts";

/**
 * The error that gives an answer of HTTP `status` its kind, or `undefined`
 * when it has none beyond `VcError` (a 404 that is no miss, a 408).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorKind } from "../errors.ts";
 * import { failureKind } from "./failure_kind.ts";
 * assert.equal(errorKind(failureKind(401)), "AccessDeniedError");
 * assert.equal(errorKind(failureKind(503)), "StoreError");
 * assert.equal(errorKind(failureKind(413)), "InvalidInputError");
 * assert.equal(failureKind(404), undefined);
 * ```
 */
export function failureKind(status: number): VcError | undefined {
  if (status === 401 || status === 403) {
    return new AccessDeniedError(`the cache service denied access (${status})`);
  }
  // As a store's 5xx after its retries.
  if (status >= 500) return new StoreError(`the cache service failed (${status})`, { status });
  // A request the service will refuse again as sent: a malformed body, a
  // file over its size limit or the owner's quota, a type or range it cannot serve.
  if (status === 400 || status === 413 || status === 415 || status === 416) {
    return new InvalidInputError(`the cache service refused the request (${status})`);
  }
  return undefined;
}
