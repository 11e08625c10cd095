/**
 * One time bound for the store work of one service request. The store bounds
 * each of its requests (`--request-timeout` per attempt, with its retries),
 * and a service request makes several: against a store that accepts
 * connections and never answers, one `vc serve` request waited 5 attempts of
 * the request timeout (5 minutes at the defaults) for its 503, long after its
 * client had given up. Under a budget, the store calls of one request share
 * one deadline, carried to each call as its `signal` by the store
 * {@linkcode budgetedStore} wraps (an async context, so no call site passes
 * it on), and the request is answered 503 once it passes.
 *
 * The deadline starts at the request's first store call (not while it waits
 * for its client's body or for an upload or download slot). The bytes of a
 * file are not under it: a download's body once the store has answered, and
 * an upload's data streamed from its client (bounded by the body idle
 * timeout and the upload's minimum rate); after an upload's data is stored,
 * the writes that record it start a budget of their own.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { deadline } from "../deadline.ts";
import type { ObjectStore } from "../store/types.ts";
import { HttpError } from "./http_error.ts";
import { untilAborted } from "../abort_hub.ts";

/** A stretch of a request's store calls under one deadline. */
class Phase {
  readonly controller = new AbortController();
  /** Its calls under way, the oldest first (named for the log line). */
  readonly calls = new Set<{ name: string }>();
}

/** A store call made under a budget: its signal, and what to call once it ended. */
interface BudgetedCall {
  signal: AbortSignal;
  done: () => void;
}

/** The budget of the request this async context serves. */
class Budget {
  readonly #ms: number;
  readonly #requestId: string | undefined;
  /** The calls' stretch under way (before the file, or after it). */
  #phase: Phase | undefined;
  /** The store's write of the client's file: timed from its arrival (see {@linkcode fileArrival}). */
  #file: Phase | undefined;
  readonly #cancels: (() => void)[] = [];
  #ended = false;
  /** The error a request whose budget ran out fails with, once it did. */
  expired: HttpError | undefined;

  constructor(ms: number, requestId: string | undefined) {
    this.#ms = ms;
    this.#requestId = requestId;
  }

  /**
   * A store call `name` starts: its signal, the stretch's deadline started
   * now if not yet started. None once the request ended: work it left
   * behind is not bounded, also when its budget had run out.
   */
  call(name: string): BudgetedCall | undefined {
    if (this.#ended) return undefined;
    let phase = this.#phase;
    if (phase === undefined) {
      phase = this.#phase = new Phase();
      this.#start(phase);
    }
    return this.#under(phase, name);
  }

  /**
   * The store's write of the client's file starts: aborted `ms` after the
   * file arrived. The calls before it are done with: their deadline,
   * passing while the file arrives, aborts what is left of them (a check
   * made alongside) and says nothing of the request (the file's arrival is
   * not the budget's to count), and a call made after it starts one anew.
   */
  fileCall(name: string): BudgetedCall | undefined {
    if (this.#ended) return undefined;
    this.#phase = undefined;
    return this.#under(this.#file ??= new Phase(), name);
  }

  #under(phase: Phase, name: string): BudgetedCall {
    const { signal } = phase.controller;
    if (signal.aborted) {
      // A call made once its stretch's time is up: the request's is, too.
      this.expired ??= this.#error(name);
      return { signal: AbortSignal.abort(this.expired), done: () => {} };
    }
    const call = { name };
    phase.calls.add(call);
    return { signal, done: () => phase.calls.delete(call) };
  }

  /** The client's file has arrived whole: its write to the store has `ms` left. */
  fileArrived(): void {
    this.#start(this.#file ??= new Phase());
  }

  #start(phase: Phase): void {
    // A call made after the request ended (work it left behind) is not bounded.
    if (this.#ended) return;
    this.#cancels.push(deadline(this.#ms, () => {
      const [waited] = phase.calls;
      const error = this.#error(waited?.name);
      // The request ran out of time when a call of its current stretch
      // was cut; one of a stretch that ended was cut alone (see fileCall).
      if (waited !== undefined && (phase === this.#phase || phase === this.#file)) {
        this.expired ??= error;
      }
      phase.controller.abort(error);
    }));
  }

  #error(call: string | undefined): HttpError {
    return new HttpError(
      503,
      `the store did not answer within ${
        this.#ms / 1000
      } s (the request's time for the store, --request-timeout); try again later${
        this.#requestId === undefined ? "" : ` (request id ${this.#requestId})`
      }`,
      {
        headers: { "retry-after": "5" },
        ...(call === undefined ? {} : { detail: `the store call under way: ${call}` }),
      },
    );
  }

  /** The next store call starts a deadline of its own (calls under way keep theirs). */
  restart(): void {
    this.#phase = undefined;
    this.#file = undefined;
  }

  /** The request ended: no deadline fires any more. */
  end(): void {
    this.#ended = true;
    for (const cancel of this.#cancels) cancel();
  }
}

const budgets = new AsyncLocalStorage<Budget | undefined>();

/**
 * Runs `fn` (one request's work) with its store calls through
 * {@linkcode budgetedStore} bounded by `ms` together (`0` or not finite: no
 * bound). When the bound passes, `fn` fails with `HttpError` 503
 * (`Retry-After: 5`, its message naming `options.requestId`, as the
 * service's answers for a store outage do) whatever error the aborted
 * store call threw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { budgetedStore, withStoreBudget } from "./request_budget.ts";
 * await using memory = new MemoryStore();
 * const store = budgetedStore(memory);
 * // A store call that never ends (a frozen store), as S3Store's ends at its signal.
 * const frozen = (signal?: AbortSignal) =>
 *   new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
 * (memory as { head: unknown }).head = (_key: string, o?: { signal?: AbortSignal }) =>
 *   frozen(o?.signal);
 * // The budget's deadline keeps nothing alive itself (a request does, in a server).
 * const alive = setInterval(() => {}, 1000);
 * try {
 *   await assert.rejects(
 *     withStoreBudget(50, () => store.head("k")),
 *     { status: 503, message: /did not answer within 0.05 s/ },
 *   );
 * } finally {
 *   clearInterval(alive);
 * }
 * ```
 */
export async function withStoreBudget<T>(
  ms: number,
  fn: () => Promise<T>,
  options: { requestId?: string } = {},
): Promise<T> {
  if (!(ms > 0 && ms < Infinity)) return await fn();
  const budget = new Budget(ms, options.requestId);
  try {
    return await budgets.run(budget, fn);
  } catch (e) {
    // A store may reject an aborted call with an error of its own; the
    // service's own answers (a 413 of a file past the limit) stay.
    if (budget.expired !== undefined && !(e instanceof HttpError)) {
      const { status, rawMessage, headers, detail } = budget.expired;
      throw new HttpError(status, rawMessage, {
        headers,
        ...(detail === undefined ? {} : { detail }),
        cause: e,
      });
    }
    throw e;
  } finally {
    budget.end();
  }
}

/**
 * What the request this async context serves calls once its client's file
 * has arrived whole: from then on the store's write of it (a `put` of a
 * stream through {@linkcode budgetedStore}) has the budget's time left to
 * end. Outside a budget, a function that does nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileArrival, withStoreBudget } from "./request_budget.ts";
 * const arrived = await withStoreBudget(1000, () => Promise.resolve(fileArrival()));
 * assert.equal(typeof arrived, "function");
 * arrived(); // the request ended: nothing is bounded any more
 * ```
 */
export function fileArrival(): () => void {
  const budget = budgets.getStore();
  return budget === undefined ? () => {} : () => budget.fileArrived();
}

/**
 * Runs `fn`, store work that several requests wait on (one write of the
 * usage changes of all of them), outside the budget of the request that
 * started it: each waits under its own with {@linkcode budgetedWait}. Run
 * under the first one's, the work was cut when that one's time ran out, and
 * every other waiting request failed with it, its own time left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedStoreWork } from "./request_budget.ts";
 * assert.equal(await sharedStoreWork(() => Promise.resolve(1)), 1);
 * ```
 */
export function sharedStoreWork<T>(fn: () => T): T {
  // Not AsyncLocalStorage.exit: Deno's leaves the store set in the
  // promise reactions that `fn` registers.
  return budgets.run(undefined, fn);
}

/**
 * `work` (see {@linkcode sharedStoreWork}) awaited as a store call `name`
 * of the request this async context serves: cut when its budget runs out
 * (the work goes on for the others). Outside a budget, `work` itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { budgetedWait, withStoreBudget } from "./request_budget.ts";
 * const never = new Promise<never>(() => {});
 * const alive = setInterval(() => {}, 1000); // a request keeps a server alive
 * try {
 *   await assert.rejects(
 *     withStoreBudget(50, () => budgetedWait(never, "a shared write")),
 *     { status: 503 },
 *   );
 * } finally {
 *   clearInterval(alive);
 * }
 * ```
 */
export async function budgetedWait<T>(work: Promise<T>, name: string): Promise<T> {
  const call = budgets.getStore()?.call(name);
  if (call === undefined) return await work;
  try {
    return await untilAborted(work, call.signal);
  } finally {
    call.done();
  }
}

/** Where each store method takes its options. */
const OPTIONS_AT: Partial<Record<keyof ObjectStore, number>> = {
  head: 1,
  get: 1,
  put: 2,
  delete: 1,
  copy: 2,
  list: 1,
  listPages: 1,
  validator: 1,
  serverTime: 0,
};

/**
 * `store` with each call made under a {@linkcode withStoreBudget} bounded
 * by that budget too (its signal joined to the call's own); outside one, the
 * calls are `store`'s own. A `get` is bounded until the store answers, not
 * while its body is read; a `put` of a stream (a client's file arriving) is
 * not bounded, and the calls after it start a budget anew.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { budgetedStore } from "./request_budget.ts";
 * await using memory = new MemoryStore();
 * const store = budgetedStore(memory);
 * await store.put("k", new TextEncoder().encode("v")); // no budget here: memory's own call
 * assert.equal((await store.head("k"))?.size, 1);
 * ```
 */
export function budgetedStore(store: ObjectStore): ObjectStore {
  return new Proxy(store, {
    get(target, name) {
      // The store's own getters read its private fields: `this` is the store.
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      const at = OPTIONS_AT[name as keyof ObjectStore];
      if (at === undefined) return value.bind(target);
      return (...args: unknown[]) => {
        const budget = budgets.getStore();
        if (budget === undefined) return value.apply(target, args);
        const what = `${String(name)} ${
          at === 0 ? target.url : `${target.url}/${String(args[0]).slice(0, 300)}`
        }`;
        const options = (args[at] ?? {}) as { signal?: AbortSignal };
        // A client's file (a put of a stream): bounded by its own guards
        // while it arrives, then by the budget (see fileArrival); what
        // follows (recording it) gets a budget of its own.
        const file = name === "put" && !(args[1] instanceof Uint8Array);
        const call = file ? budget.fileCall(what) : budget.call(what);
        if (call === undefined) return value.apply(target, args);
        let { signal } = call;
        let stop = call.done;
        if (name === "get") {
          // Only until the store answers: the body may take as long as its
          // reader (a download's client) takes, under its own bounds.
          const answered = new AbortController();
          const budgetSignal = signal;
          const onExpired = () => answered.abort(budgetSignal.reason);
          if (budgetSignal.aborted) onExpired();
          else budgetSignal.addEventListener("abort", onExpired, { once: true });
          signal = answered.signal;
          stop = () => {
            budgetSignal.removeEventListener("abort", onExpired);
            call.done();
          };
        }
        args[at] = { ...options, signal: joined(signal, options.signal) };
        const ended = () => {
          stop();
          if (file) budget.restart();
        };
        let result: unknown;
        try {
          result = value.apply(target, args);
        } catch (e) {
          ended();
          throw e;
        }
        // A listing's pages are read as its caller goes: not a call under way.
        if (!(result instanceof Promise)) ended();
        else result = result.finally(ended);
        return result;
      };
    },
  });
}

function joined(budget: AbortSignal, own: AbortSignal | undefined): AbortSignal {
  return own === undefined ? budget : AbortSignal.any([budget, own]);
}
