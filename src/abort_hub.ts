/**
 * Abort callbacks without an event listener each: one listener per signal,
 * and a set of callbacks behind it.
 *
 * Many callers share one signal (the command line's interrupt, or a script's
 * `Promise.all` of a thousand `cache()` calls with the same `signal`), and
 * each download, request and attempt listened for its abort and stopped
 * listening at its end. Deno's `addEventListener` and `removeEventListener`
 * scan the signal's listener list: with 1000 callers waiting on one signal a
 * pair costs ~18 µs, against ~0.1 µs for a set insertion and deletion; on
 * a fresh signal the two cost about the same (`scripts/bench/abort_listeners.ts`,
 * 2-core VM).
 *
 * @module
 */

// The callbacks of a signal, kept on the signal itself: a WeakMap lookup
// costs more than the listener it saves on a fresh signal.
const HUB: unique symbol = Symbol("vc.abortHub");
// Marks the signal of a HubController: its controller runs the callbacks.
const DRIVEN: unique symbol = Symbol("vc.abortHubDriven");
// The one event listener behind the callbacks, removed with the last of them.
const LISTENER: unique symbol = Symbol("vc.abortHubListener");
type WithHub = AbortSignal & {
  [HUB]?: Set<() => void> | undefined;
  [LISTENER]?: (() => void) | undefined;
  [DRIVEN]?: true;
};

/**
 * Calls `callback` once when `signal` aborts (never when it has aborted
 * already, as with an `abort` event listener; never without a signal),
 * until the returned function is called. A callback that throws is reported (`reportError`) and the
 * others still run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onAbort } from "./abort_hub.ts";
 * const controller = new AbortController();
 * let calls = 0;
 * const stop = onAbort(controller.signal, () => calls++);
 * onAbort(controller.signal, () => calls++)(); // stopped at once: never called
 * controller.abort();
 * controller.abort();
 * assert.equal(calls, 1);
 * stop(); // harmless after the abort
 * ```
 */
export function onAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (signal === undefined) return NOTHING;
  const hubbed = signal as WithHub;
  let callbacks = hubbed[HUB];
  if (callbacks === undefined) {
    callbacks = new Set<() => void>();
    hubbed[HUB] = callbacks;
    // A HubController's abort() runs them itself: no listener at all. (An
    // aborted one's are never run, as a listener added after the abort.)
    if (hubbed[DRIVEN] !== true) listen(hubbed, callbacks);
  }
  // One entry per registration: the same function registered twice runs twice.
  const entry = () => callback();
  const set = callbacks;
  set.add(entry);
  return () => {
    if (!set.delete(entry) || set.size > 0 || hubbed[HUB] !== set) return;
    // The last one stopped: the listener goes too. Deno keeps a signal made
    // by `AbortSignal.any` alive while one of its sources can still abort
    // and it has a listener, so a listener left on the signal of each of
    // `vc serve`'s uploads (each follows the service's shutdown signal)
    // kept every upload's signal, and what its callbacks held (the parts'
    // buffers), until the service stopped.
    hubbed[HUB] = undefined;
    const listener = hubbed[LISTENER];
    if (listener === undefined) return;
    hubbed[LISTENER] = undefined;
    signal.removeEventListener("abort", listener);
  };
}

/**
 * Adds the listener that runs `set` when `signal` aborts. Made here, not in
 * {@linkcode onAbort}: a closure there would share its scope with the first
 * callback's entry, and hold that callback for as long as the listener.
 */
function listen(signal: WithHub, set: Set<() => void>): void {
  // No `{ once: true }`: a signal aborts once anyway, and the options
  // dictionary Deno converts on every call would buy nothing.
  const listener = () => runCallbacks(signal, set);
  signal[LISTENER] = listener;
  signal.addEventListener("abort", listener);
}

/**
 * Aborts `to` when `from` aborts (at once when it has already), with its
 * reason, until the returned function is called: a caller's signal handed
 * down to an operation's own controller.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forwardAbort } from "./abort_hub.ts";
 * const caller = new AbortController();
 * const own = new AbortController();
 * const stop = forwardAbort(caller.signal, own);
 * caller.abort(new Error("stop"));
 * assert.equal((own.signal.reason as Error).message, "stop");
 * stop();
 * ```
 */
export function forwardAbort(from: AbortSignal | undefined, to: AbortController): () => void {
  if (from?.aborted) {
    to.abort(from.reason);
    return NOTHING;
  }
  return onAbort(from, () => to.abort(from!.reason));
}

const NOTHING = (): void => {};

/** Runs (once) the callbacks of an aborted signal that are still registered. */
function runCallbacks(hubbed: WithHub, set: Set<() => void>): void {
  hubbed[HUB] = undefined;
  hubbed[LISTENER] = undefined;
  for (const f of [...set]) {
    // Stopped by a callback that ran before it: not called (as with listeners).
    if (!set.delete(f)) continue;
    try {
      f();
    } catch (error) {
      reportError(error);
    }
  }
}

/**
 * An `AbortController` whose `abort()` runs its signal's
 * {@linkcode onAbort} callbacks itself (after the signal's own `abort`
 * listeners), so registering the first of them adds no event listener to
 * the signal: on a fresh signal, Deno's `addEventListener` allocates ~0.9 KB
 * (its listener map, record and options), once per request attempt. Only a
 * controller's `abort()` aborts its signal, so none is missed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HubController, onAbort } from "./abort_hub.ts";
 * const controller = new HubController();
 * const order: string[] = [];
 * onAbort(controller.signal, () => order.push("callback"));
 * controller.signal.addEventListener("abort", () => order.push("listener"));
 * controller.abort(new Error("stop"));
 * controller.abort();
 * assert.deepEqual(order, ["listener", "callback"]);
 * assert.equal((controller.signal.reason as Error).message, "stop");
 * ```
 */
export class HubController extends AbortController {
  /** A controller whose signal is not aborted yet. */
  constructor() {
    super();
    (this.signal as WithHub)[DRIVEN] = true;
  }

  /** Aborts the signal (once), then runs its {@linkcode onAbort} callbacks. */
  override abort(reason?: unknown): void {
    const signal = this.signal as WithHub;
    if (signal.aborted) return;
    super.abort(reason);
    const set = signal[HUB];
    if (set !== undefined) runCallbacks(signal, set);
  }
}

/**
 * `work`'s outcome, or a rejection with `signal`'s reason as soon as it
 * aborts (at once when it has aborted already), for work that takes no
 * signal itself. The work goes on after an abort: `cleanup` then runs with
 * its value once it has succeeded, to release what it opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { untilAborted } from "./abort_hub.ts";
 * assert.equal(await untilAborted(Promise.resolve(1), undefined), 1);
 * const controller = new AbortController();
 * const never = new Promise<number>(() => {});
 * const waiting = untilAborted(never, controller.signal);
 * controller.abort(new Error("stop"));
 * await assert.rejects(waiting, /stop/);
 * ```
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  cleanup?: (value: T) => unknown,
): Promise<T> {
  if (signal === undefined) return work;
  const late = () => {
    work.then((value) => cleanup?.(value)).catch(() => {});
  };
  if (signal.aborted) {
    late();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => {
      late();
      reject(signal.reason);
    });
    work.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

/**
 * The next chunk of `reader`, or a rejection with `signal`'s reason as soon
 * as it aborts: the one way to read a fetch body under a signal. Deno's
 * fetch hears the signal given to it through the Request's own signal,
 * which the given one holds only weakly: once the Response is unreachable
 * (only its body or reader kept), a garbage collection drops it, and an
 * abort no longer ended a read waiting on a stalled body (it hung for good).
 * The caller cancels the reader after a rejection (to drop the connection).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readUntilAborted } from "./abort_hub.ts";
 * const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
 * const reader = stalled.getReader();
 * const controller = new AbortController();
 * const read = readUntilAborted(reader, controller.signal);
 * controller.abort(new Error("stop"));
 * await assert.rejects(read, /stop/);
 * await reader.cancel();
 * ```
 */
export function readUntilAborted<T>(
  reader: ReadableStreamDefaultReader<T>,
  signal: AbortSignal | undefined,
): Promise<ReadableStreamReadResult<T>> {
  return untilAborted(reader.read(), signal);
}

/**
 * `body` read with {@linkcode readUntilAborted}: a fetch body (one handed
 * on with no guard of its own) whose reads fail with `signal`'s reason once
 * it aborts, whether or not fetch still hears it; the source is then
 * cancelled, which drops the connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortableBody } from "./abort_hub.ts";
 * const controller = new AbortController();
 * const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
 * const reader = abortableBody(stalled, controller.signal).getReader();
 * const read = reader.read();
 * controller.abort(new Error("stop"));
 * await assert.rejects(read, /stop/);
 * const body = abortableBody(new Response("abc").body!, controller.signal);
 * await assert.rejects(new Response(body).text(), /stop/); // aborted already
 * ```
 */
export function abortableBody<T>(body: ReadableStream<T>, signal: AbortSignal): ReadableStream<T> {
  const reader = body.getReader();
  return new ReadableStream<T>({
    async pull(controller) {
      try {
        const { done, value } = await readUntilAborted(reader, signal);
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        reader.cancel(error).catch(() => {});
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * `body`, fetch's own, holding its `response`: for a body handed on as it
 * is (not read under {@linkcode readUntilAborted}, so that piping it
 * copies without JavaScript). Fetch hears the abort of its signal through
 * the Request's own, reachable from the Response only: once the Response
 * was garbage (only its body kept) the abort no longer ended a read of a
 * stalled body. Holding it keeps the abort reaching the body as long as
 * the body lives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holdingResponse } from "./abort_hub.ts";
 * const response = new Response("abc");
 * const body = holdingResponse(response.body!, response);
 * assert.equal(await new Response(body).text(), "abc");
 * ```
 */
export function holdingResponse<T>(body: ReadableStream<T>, response: Response): ReadableStream<T> {
  (body as ReadableStream<T> & { [RESPONSE]?: Response })[RESPONSE] = response;
  return body;
}

const RESPONSE: unique symbol = Symbol("vc.response");

/**
 * `{ signal }` for options that take a signal, `{}` when there is none (an
 * options object with `exactOptionalPropertyTypes` may not hold `undefined`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signalOption } from "./abort_hub.ts";
 * assert.deepEqual(signalOption(undefined), {});
 * const signal = new AbortController().signal;
 * assert.equal(signalOption(signal).signal, signal);
 * ```
 */
export function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
