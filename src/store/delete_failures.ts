/**
 * Which keys of a failed `ObjectStore.delete` failed, and why, carried by
 * the error it threw: a batch delete (S3's DeleteObjects) answers per key,
 * so a caller that deletes many keys (the mirror's `--delete`) learns that
 * the other keys of the batch are gone without asking again for each one.
 *
 * @module
 */

const FAILED = new WeakMap<object, ReadonlyMap<string, Error>>();

/**
 * Marks `error` (thrown by a delete) as naming every key that failed, each
 * with its own error: the keys the delete was given that are not in
 * `failed` were deleted (or were not there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedDeletes, withFailedDeletes } from "./delete_failures.ts";
 * const e = withFailedDeletes(new Error("1 of 2"), new Map([["a", new Error("no")]]));
 * assert.deepEqual([...failedDeletes(e)!.keys()], ["a"]);
 * assert.equal(failedDeletes(new Error("other")), undefined);
 * ```
 */
export function withFailedDeletes<E extends Error>(
  error: E,
  failed: ReadonlyMap<string, Error>,
): E {
  FAILED.set(error, failed);
  return error;
}

/**
 * The keys a delete's `error` says failed, each with its own error (keys as
 * given to the delete), or `undefined` when it does not say (then any of
 * its keys may have failed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedDeletes } from "./delete_failures.ts";
 * assert.equal(failedDeletes("not an error"), undefined);
 * ```
 */
export function failedDeletes(error: unknown): ReadonlyMap<string, Error> | undefined {
  return typeof error === "object" && error !== null ? FAILED.get(error) : undefined;
}
