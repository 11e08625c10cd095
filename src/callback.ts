/**
 * Calling a callback the caller passed, so that what it throws (or a promise
 * it returns that rejects) stops the operation as a {@linkcode CallbackError}
 * rather than failing one item, or ending the process as an unhandled
 * rejection.
 *
 * @module
 */
import { CallbackError } from "./errors.ts";

/** `thrown` as the {@linkcode CallbackError} of the callback `name`. */
function callbackError(name: string, thrown: unknown): CallbackError {
  return thrown instanceof CallbackError ? thrown : new CallbackError(name, thrown);
}

/** Whether `value` is a promise (or a thenable): what an `async` callback returns. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/**
 * How a callback whose promise vc does not wait for is called: as it is,
 * unless a layer that marks async contexts said otherwise through
 * {@linkcode callCallbacksOutside}.
 */
let detached: (<T>(call: () => T) => T) | undefined;

// `fn(...args)` through `exit`; a function of its own so that the callers'
// direct calls (most) allocate no closure over their arguments.
function callDetached<A extends unknown[]>(
  exit: <T>(call: () => T) => T,
  fn: (...args: A) => unknown,
  args: A,
): unknown {
  return exit(() => fn(...args));
}

/**
 * Has each callback that vc calls without waiting for it
 * ({@linkcode callCallback}, {@linkcode CallbackGuard}, {@linkcode reportingCallback};
 * not {@linkcode awaitCallback}) called through `exit`, which leaves an async
 * context of the caller's layer: what the callback starts belongs to none of
 * that layer's work. The SQLite catalog runs callbacks outside its
 * transaction bodies, which refuse a transaction of their own connection
 * begun in them (the body would wait for it, and it for the body): a
 * `repo.list()` from a gc's `onProgress` waits for its turn instead. Set
 * once per layer, when its module loads; each wraps those set before it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callCallback, callCallbacksOutside } from "./callback.ts";
 * let outside = false;
 * const inside = { now: true };
 * callCallbacksOutside((call) => {
 *   inside.now = false;
 *   try {
 *     return call();
 *   } finally {
 *     inside.now = true;
 *   }
 * });
 * callCallback("onStep", () => outside = !inside.now);
 * assert(outside);
 * ```
 */
export function callCallbacksOutside(exit: <T>(call: () => T) => T): void {
  const before = detached;
  detached = before === undefined ? exit : (call) => exit(() => before(call));
}

/**
 * Calls the caller's callback `fn` (the option `name`) with `args`; what it
 * throws becomes a {@linkcode CallbackError}, which the per-item error
 * handling passes on rather than counting it against the item. A promise it
 * returns is not waited for; its rejection is caught (it never ends the
 * process as an unhandled rejection) and dropped: an operation that can stop
 * for it takes a {@linkcode CallbackGuard} instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallbackError } from "./errors.ts";
 * import { callCallback } from "./callback.ts";
 * callCallback("onAction", undefined, 1); // no callback: nothing to call
 * const boom = new Error("boom");
 * const fail = (_n: number) => {
 *   throw boom;
 * };
 * assert.throws(() => callCallback("onAction", fail, 1), (e) => e instanceof CallbackError && e.cause === boom);
 * ```
 */
export function callCallback<A extends unknown[]>(
  name: string,
  fn: ((...args: A) => unknown) | undefined,
  ...args: A
): void {
  if (fn === undefined) return;
  let result: unknown;
  try {
    result = detached === undefined ? fn(...args) : callDetached(detached, fn, args);
  } catch (error) {
    throw callbackError(name, error);
  }
  if (isThenable(result)) result.then(undefined, () => {});
}

/**
 * Calls the caller's callback `fn` (the option `name`) with `args` and waits
 * for the promise it returns, for a step that must not go on without it
 * (`copyVerified`'s `onWritten`, before the rename): what it throws, or a
 * rejection, becomes a {@linkcode CallbackError} naming it, so the error is
 * not taken for one of the operation's own (a full disk under the caller's
 * journal is no "cannot write DEST").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallbackError } from "./errors.ts";
 * import { awaitCallback } from "./callback.ts";
 * await awaitCallback("onWritten", undefined, 1); // no callback: nothing to call
 * const boom = new Error("boom");
 * await assert.rejects(
 *   awaitCallback("onWritten", (_n: number) => Promise.reject(boom), 1),
 *   (e) => e instanceof CallbackError && e.callback === "onWritten" && e.cause === boom,
 * );
 * ```
 */
export async function awaitCallback<A extends unknown[]>(
  name: string,
  fn: ((...args: A) => unknown) | undefined,
  ...args: A
): Promise<void> {
  if (fn === undefined) return;
  try {
    await fn(...args);
  } catch (error) {
    throw callbackError(name, error);
  }
}

/**
 * The callbacks of one operation (a mirror run, a `cache()` call, a watch):
 * the first that fails, by throwing or by returning a promise that rejects,
 * aborts {@linkcode CallbackGuard.signal} with its {@linkcode CallbackError}
 * as the reason. The operation passes that signal to its transfers (so those
 * in flight stop, and clean up as for any abort) and rejects with
 * {@linkcode CallbackGuard.error}. Once one has failed, no callback of the
 * operation is called again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallbackError } from "./errors.ts";
 * import { CallbackGuard } from "./callback.ts";
 * const guard = new CallbackGuard();
 * const boom = new Error("boom");
 * guard.call("onProgress", (n: number) => assert.equal(n, 1), 1);
 * assert(!guard.signal.aborted);
 * // An async callback that rejects: the signal aborts once it has.
 * guard.notify("onProgress", () => Promise.reject(boom));
 * await new Promise((r) => setTimeout(r, 0));
 * assert(guard.signal.aborted && guard.signal.reason === guard.error);
 * assert(guard.error instanceof CallbackError && guard.error.cause === boom);
 * assert.throws(() => guard.throwIfFailed(), CallbackError);
 * assert.equal(guard.wrap("onPhase", undefined), undefined);
 * // Stopped: a later call throws that error and calls nothing.
 * assert.throws(() => guard.call("onAction", () => assert.fail("called")), CallbackError);
 * ```
 */
export class CallbackGuard {
  readonly #stop = new AbortController();
  #error: CallbackError | undefined;

  /** Aborted, with the {@linkcode CallbackError} as its reason, once a callback failed. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** The first callback's failure; `undefined` while none failed. */
  get error(): CallbackError | undefined {
    return this.#error;
  }

  /** Throws {@linkcode CallbackGuard.error} when a callback failed. */
  throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }

  /**
   * `signal` and this guard's signal as one (`signal` alone when it is
   * aborted already, this guard's when there is none).
   */
  with(signal: AbortSignal | undefined): AbortSignal {
    return signal === undefined ? this.signal : AbortSignal.any([signal, this.signal]);
  }

  /**
   * Calls `fn` (the option `name`) with `args`. When it throws, the guard
   * stops and the {@linkcode CallbackError} is thrown here too, so the step
   * that called it stops; a promise it returns that rejects stops the guard
   * when it does. After a failure, throws that error without calling.
   */
  call<A extends unknown[]>(
    name: string,
    fn: ((...args: A) => unknown) | undefined,
    ...args: A
  ): void {
    this.throwIfFailed();
    if (fn === undefined) return;
    let result: unknown;
    try {
      result = detached === undefined ? fn(...args) : callDetached(detached, fn, args);
    } catch (error) {
      throw this.#fail(name, error);
    }
    if (isThenable(result)) result.then(undefined, (error) => this.#fail(name, error));
  }

  /**
   * `fn` as a function that calls it through {@linkcode CallbackGuard.call}
   * (`undefined` when it is): what an operation passes on in its options.
   */
  wrap<A extends unknown[]>(
    name: string,
    fn: ((...args: A) => unknown) | undefined,
  ): ((...args: A) => void) | undefined {
    return fn === undefined ? undefined : (...args: A) => this.call(name, fn, ...args);
  }

  /**
   * {@linkcode CallbackGuard.call} for a callback called from inside work
   * it must not break (a download several calls share, a body stream): a
   * failure only stops the guard, and nothing is thrown here; once stopped,
   * nothing is called.
   */
  notify<A extends unknown[]>(
    name: string,
    fn: ((...args: A) => unknown) | undefined,
    ...args: A
  ): void {
    if (this.#error !== undefined) return;
    try {
      this.call(name, fn, ...args);
    } catch {
      // Kept as the guard's error; the signal says it.
    }
  }

  #fail(name: string, thrown: unknown): CallbackError {
    if (this.#error === undefined) {
      this.#error = callbackError(name, thrown);
      this.#stop.abort(this.#error);
    }
    return this.#error;
  }
}

/**
 * Runs `operation` with `options` whose callbacks `names` are called through
 * a new {@linkcode CallbackGuard}, and whose `signal` is that guard's too
 * (joined with the caller's): the first callback that fails stops the
 * operation as that signal would, and is what it rejects with, even where
 * the operation turned the abort into an error of its own or resolved
 * meanwhile. Without any of those callbacks, `options` go as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallbackError } from "./errors.ts";
 * import { withCallbackGuard } from "./callback.ts";
 * const boom = new Error("boom");
 * const run = (o: { onStep?: (n: number) => void; signal?: AbortSignal }) =>
 *   withCallbackGuard(o, ["onStep"], async (guarded) => {
 *     guarded.onStep?.(1);
 *     return "done";
 *   });
 * assert.equal(await run({}), "done");
 * await assert.rejects(
 *   run({ onStep: () => Promise.reject(boom) }),
 *   (e) => e instanceof CallbackError && e.callback === "onStep" && e.cause === boom,
 * );
 * ```
 */
export async function withCallbackGuard<O extends { signal?: AbortSignal | undefined }, T>(
  options: O,
  names: readonly (keyof O & string)[],
  operation: (guarded: O) => Promise<T>,
): Promise<T> {
  if (names.every((name) => options[name] === undefined)) return await operation(options);
  const callbacks = new CallbackGuard();
  const guarded: Record<string, unknown> = { ...options, signal: callbacks.with(options.signal) };
  for (const name of names) {
    const fn = options[name];
    if (typeof fn === "function") {
      guarded[name] = callbacks.wrap(name, fn as (...args: unknown[]) => unknown);
    }
  }
  try {
    const result = await operation(guarded as O);
    callbacks.throwIfFailed();
    return result;
  } catch (error) {
    throw callbacks.error ?? error;
  }
}

/**
 * `fn` (the option `name`) as a hook of a long-running service (the cache
 * service's `log`, a token file's `onReloadError`), called where nothing
 * should stop for it: what it throws, or a promise it returns that rejects,
 * goes to `report` as a {@linkcode CallbackError}, never to its caller nor
 * an unhandled rejection (which ends a Deno process), and the service goes on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportingCallback } from "./callback.ts";
 * const told: string[] = [];
 * const hook = reportingCallback("onEvent", (n: number) => {
 *   if (n > 1) throw new Error(`no ${n}`);
 * }, (e) => told.push(`${e.callback}: ${(e.cause as Error).message}`));
 * hook(1);
 * hook(2); // does not throw
 * reportingCallback("onEvent", () => Promise.reject(new Error("late")), (e) =>
 *   told.push(`${e.callback}: ${(e.cause as Error).message}`))();
 * await new Promise((r) => setTimeout(r, 0));
 * assert.deepEqual(told, ["onEvent: no 2", "onEvent: late"]);
 * ```
 */
export function reportingCallback<A extends unknown[]>(
  name: string,
  fn: (...args: A) => unknown,
  report: (error: CallbackError) => void,
): (...args: A) => void {
  return (...args) => {
    let result: unknown;
    try {
      result = detached === undefined ? fn(...args) : callDetached(detached, fn, args);
    } catch (error) {
      report(callbackError(name, error));
      return;
    }
    if (isThenable(result)) result.then(undefined, (error) => report(callbackError(name, error)));
  };
}

/** What a {@linkcode CallbackError}'s callback threw, as text. */
export function thrownText(error: CallbackError): string {
  return error.cause instanceof Error ? error.cause.message : String(error.cause);
}
