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

/** The budget of the request this async context serves. */
class Budget {
  readonly #ms: number;
  #controller: AbortController | undefined;
  readonly #cancels: (() => void)[] = [];
  /** Aborted `ms` after the request's file arrived (see {@linkcode fileArrival}). */
  #file: AbortController | undefined;
  #ended = false;
  /** The store call made last, for the log line of a request whose budget ran out. */
  calling = "";
  /** The error a request whose budget ran out fails with, once it did. */
  expired: HttpError | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** The deadline's signal, started now if not yet started. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      this.#start(this.#controller);
    }
    return this.#controller.signal;
  }

  /** The signal of the store's write of the client's file: aborted `ms` after it arrived. */
  get fileSignal(): AbortSignal {
    return (this.#file ??= new AbortController()).signal;
  }

  /** The client's file has arrived whole: its write to the store has `ms` left. */
  fileArrived(): void {
    this.#start(this.#file ??= new AbortController());
  }

  #start(controller: AbortController): void {
    // A call made after the request ended (work it left behind) is not bounded.
    if (this.#ended) return;
    this.#cancels.push(deadline(this.#ms, () => {
      // A deadline of a phase that ended (the calls before an upload's
      // file) aborts what is left of it, and says nothing of the request.
      if (controller !== this.#controller && controller !== this.#file) {
        return controller.abort(this.#error());
      }
      this.expired ??= this.#error();
      controller.abort(this.expired);
    }));
  }

  #error(): HttpError {
    return new HttpError(
      503,
      `the store did not answer within ${
        this.#ms / 1000
      } s (the request's time for the store, --request-timeout); try again later`,
      { headers: { "retry-after": "5" }, detail: `its last store call: ${this.calling}` },
    );
  }

  /** The next store call starts a deadline of its own (calls under way keep theirs). */
  restart(): void {
    this.#controller = undefined;
    this.#file = undefined;
  }

  /** The request ended: no deadline fires any more. */
  end(): void {
    this.#ended = true;
    for (const cancel of this.#cancels) cancel();
  }
}

const budgets = new AsyncLocalStorage<Budget>();

/**
 * Runs `fn` (one request's work) with its store calls through
 * {@linkcode budgetedStore} bounded by `ms` together (`0` or not finite: no
 * bound). When the bound passes, `fn` fails with `HttpError` 503
 * (`Retry-After: 5`) whatever error the aborted store call threw.
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
export async function withStoreBudget<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  if (!(ms > 0 && ms < Infinity)) return await fn();
  const budget = new Budget(ms);
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
        budget.calling = `${String(name)} ${
          at === 0 ? target.url : `${target.url}/${String(args[0]).slice(0, 300)}`
        }`;
        const options = (args[at] ?? {}) as { signal?: AbortSignal };
        if (name === "put" && !(args[1] instanceof Uint8Array)) {
          // A client's file: bounded by its own guards while it arrives,
          // then by the budget (see fileArrival); what follows (recording
          // it) gets a budget of its own.
          args[at] = { ...options, signal: joined(budget.fileSignal, options.signal) };
          const put = value.apply(target, args) as Promise<unknown>;
          return put.finally(() => budget.restart());
        }
        if (name !== "get") {
          args[at] = { ...options, signal: joined(budget.signal, options.signal) };
          return value.apply(target, args);
        }
        // Only until the store answers: the body may take as long as its
        // reader (a download's client) takes, under its own bounds.
        const answered = new AbortController();
        const onExpired = () => answered.abort(budget.signal.reason);
        const signal = budget.signal;
        if (signal.aborted) onExpired();
        else signal.addEventListener("abort", onExpired, { once: true });
        args[at] = { ...options, signal: joined(answered.signal, options.signal) };
        return (value.apply(target, args) as Promise<unknown>).finally(() =>
          signal.removeEventListener("abort", onExpired)
        );
      };
    },
  });
}

function joined(budget: AbortSignal, own: AbortSignal | undefined): AbortSignal {
  return own === undefined ? budget : AbortSignal.any([budget, own]);
}
