/**
 * Minimal assertions for the test suite (JSR's @std/assert is not reachable
 * from this build environment, so we keep the few we need here).
 */
import { inspect, isDeepStrictEqual } from "node:util";

export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}values differ\n  actual:   ${
        inspect(actual, { depth: 6 })
      }\n  expected: ${inspect(expected, { depth: 6 })}`,
    );
  }
}

export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  if (isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}expected values to differ: ${inspect(actual)}`,
    );
  }
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}${JSON.stringify(actual)} does not match ${pattern}`,
    );
  }
}

export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}${JSON.stringify(actual)} does not include ${
        JSON.stringify(expected)
      }`,
    );
  }
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Asserts that `fn` rejects/throws an instance of `cls` (and the message includes `includes`). */
export async function assertRejects<E extends Error = Error>(
  fn: () => unknown,
  cls?: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, cls, includes);
  }
  throw new AssertionError("expected function to throw");
}

/** Synchronous variant of {@link assertRejects}. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  cls?: ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    return checkError(e, cls, includes);
  }
  throw new AssertionError("expected function to throw");
}

function checkError<E extends Error>(error: unknown, cls?: ErrorClass<E>, includes?: string): E {
  if (cls && !(error instanceof cls)) {
    throw new AssertionError(`expected ${cls.name}, got ${inspect(error)}`);
  }
  if (includes !== undefined && !(error as Error).message.includes(includes)) {
    throw new AssertionError(
      `error message ${JSON.stringify((error as Error).message)} does not include ${
        JSON.stringify(includes)
      }`,
    );
  }
  return error as E;
}
