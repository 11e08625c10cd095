/**
 * Fault injection: decides per request (seeded rates, or a queue of
 * "fail the next n requests") and rewrites responses into the failure.
 *
 * @module
 */
import { InvalidInputError } from "../../errors.ts";
import { checkRequiredOptions, describeValue, type OptionNames } from "../../options_check.ts";
import type { FaultKind, FaultOptions, FaultTarget } from "./types.ts";

/**
 * A seeded PRNG (mulberry32): the same seed gives the same sequence in `[0, 1)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seededRandom } from "./faults.ts";
 * const a = seededRandom(7), b = seededRandom(7);
 * assert(a() === b() && a() < 1);
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The error a `reset` fault makes a response body fail with; the server swallows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InjectedReset } from "./faults.ts";
 * assert(new InjectedReset().name === "InjectedReset");
 * ```
 */
export class InjectedReset extends Error {
  /** Creates the error. */
  constructor() {
    super("fake-s3: injected connection reset");
    this.name = "InjectedReset";
  }
}

const KINDS: readonly FaultKind[] = [
  "internal",
  "slowdown",
  "reset",
  "truncate",
  "corrupt",
  "lostResponse",
];

// A misspelt fault (`errorrate`) would otherwise inject nothing, silently.
/** The fault options' names (`startFakeS3` names one given beside its own). */
export const FAULT_OPTIONS: OptionNames<FaultOptions> = {
  errorRate: true,
  errorKind: true,
  resetRate: true,
  truncateRate: true,
  corruptRate: true,
  latencyMs: true,
  hold: true,
  seed: true,
  match: true,
};

function checkRate(options: FaultOptions, name: keyof FaultOptions): void {
  const v = options[name];
  if (v === undefined) return;
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
    throw new InvalidInputError(
      `fault option ${name} must be a number in 0..1, got ${describeValue(v)}`,
    );
  }
}

/**
 * Throws `InvalidInputError` naming the bad field of fault options (as for
 * a misspelt one: every option check of vc's throws that).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateFaults } from "./faults.ts";
 * validateFaults({ errorRate: 0.5 });
 * let threw = false;
 * try { validateFaults({ errorRate: 2 }); } catch { threw = true; }
 * assert(threw);
 * ```
 */
export function validateFaults(options: FaultOptions): void {
  checkRequiredOptions("fault options", options, FAULT_OPTIONS);
  for (const name of ["errorRate", "resetRate", "truncateRate", "corruptRate"] as const) {
    checkRate(options, name);
  }
  const { latencyMs, hold, errorKind, seed, match } = options;
  if (hold !== undefined && typeof (hold as { then?: unknown } | null)?.then !== "function") {
    throw new InvalidInputError(`fault option hold must be a promise, got ${describeValue(hold)}`);
  }
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new InvalidInputError(
      `fault option latencyMs must be a finite number >= 0, got ${describeValue(latencyMs)}`,
    );
  }
  if (errorKind !== undefined && errorKind !== "internal" && errorKind !== "slowdown") {
    throw new InvalidInputError(
      `fault option errorKind must be "internal" or "slowdown", got ${describeValue(errorKind)}`,
    );
  }
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new InvalidInputError(`fault option seed must be an integer, got ${describeValue(seed)}`);
  }
  if (match !== undefined && typeof match !== "function") {
    throw new InvalidInputError(
      `fault option match must be a function, got ${describeValue(match)}`,
    );
  }
}

interface Pending {
  kind: FaultKind;
  remaining: number;
  match: ((target: FaultTarget) => boolean) | undefined;
}

/** The decision taken before an operation runs. */
export interface BeforeDecision {
  /** Delay to add, in milliseconds. */
  latencyMs: number;
  /** A promise to wait for before the operation (see `FaultOptions.hold`). */
  hold: PromiseLike<unknown> | undefined;
  /** A fault that replaces the operation: `internal`, `slowdown` or `reset`. */
  fault: "internal" | "slowdown" | "reset" | undefined;
}

/** What the response of an operation offers to post-operation faults. */
export interface ResponseShape {
  /** The request method (HEAD responses carry no body). */
  method: string;
  /** True for a GetObject response with a non-empty object body. */
  objectBody: boolean;
}

/**
 * Holds the fault settings of one server and decides each request's fate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FaultController } from "./faults.ts";
 * const faults = new FaultController();
 * faults.failNext(1, "slowdown");
 * const t = { op: "PutObject" as const, method: "PUT", headers: {} };
 * assert(faults.before(t).fault === "slowdown");
 * assert(faults.before(t).fault === undefined);
 * ```
 */
export class FaultController {
  #options: FaultOptions = {};
  #random: () => number = seededRandom(1);
  #pending: Pending[] = [];

  /** True when anything is configured; when false the server skips fault handling. */
  get active(): boolean {
    const o = this.#options;
    return this.#pending.length > 0 || !!o.latencyMs || !!o.hold || !!o.errorRate ||
      !!o.resetRate ||
      !!o.truncateRate || !!o.corruptRate;
  }

  /** A copy of the current settings. */
  get options(): FaultOptions {
    return { ...this.#options };
  }

  /** Replaces the settings; a `seed` restarts the random sequence. */
  set(options: FaultOptions): void {
    validateFaults(options);
    this.#options = { ...options };
    if (options.seed !== undefined) this.#random = seededRandom(options.seed);
  }

  /** Queues `count` faults of `kind` for the next requests they apply to. */
  failNext(count: number, kind: FaultKind, match?: (target: FaultTarget) => boolean): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new InvalidInputError(
        `failNext count must be a non-negative integer, got ${describeValue(count)}`,
      );
    }
    if (!KINDS.includes(kind)) {
      throw new InvalidInputError(
        `failNext kind must be one of ${KINDS.join(", ")}, got ${describeValue(kind)}`,
      );
    }
    if (count > 0) this.#pending.push({ kind, remaining: count, match });
  }

  /** Removes settings and queued faults. */
  clear(): void {
    this.#options = {};
    this.#pending = [];
  }

  #take(target: FaultTarget, applies: (kind: FaultKind) => boolean): FaultKind | undefined {
    const i = this.#pending.findIndex((p) =>
      applies(p.kind) && (p.match === undefined || p.match(target))
    );
    if (i === -1) return undefined;
    const p = this.#pending[i]!;
    if (--p.remaining === 0) this.#pending.splice(i, 1);
    return p.kind;
  }

  #roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.#random() < rate;
  }

  /**
   * Before the operation: latency, and errors or resets that replace it.
   * GetObject resets are decided afterwards, so they can cut the body.
   */
  before(target: FaultTarget): BeforeDecision {
    const o = this.#options;
    const matched = o.match === undefined || o.match(target);
    const isGet = target.op === "GetObject";
    const queued = this.#take(
      target,
      (k) => k === "internal" || k === "slowdown" || (k === "reset" && !isGet),
    );
    const decision: BeforeDecision = {
      latencyMs: matched ? o.latencyMs ?? 0 : 0,
      hold: matched ? o.hold : undefined,
      fault: queued as BeforeDecision["fault"],
    };
    if (decision.fault === undefined && matched) {
      if (this.#roll(o.errorRate)) decision.fault = o.errorKind ?? "internal";
      else if (!isGet && this.#roll(o.resetRate)) decision.fault = "reset";
    }
    return decision;
  }

  /** After the operation: a fault that rewrites its response, if any. */
  after(target: FaultTarget, shape: ResponseShape): FaultKind | undefined {
    const isGet = target.op === "GetObject";
    const queued = this.#take(target, (k) => {
      if (k === "lostResponse") return true;
      if (k === "reset") return isGet;
      return (k === "truncate" || k === "corrupt") && isGet && shape.objectBody;
    });
    if (queued !== undefined) return queued;
    const o = this.#options;
    if (!isGet || (o.match !== undefined && !o.match(target))) return undefined;
    if (this.#roll(o.resetRate)) return "reset";
    if (!shape.objectBody) return undefined;
    if (this.#roll(o.truncateRate)) return "truncate";
    if (this.#roll(o.corruptRate)) return "corrupt";
    return undefined;
  }
}

/**
 * Passes the first `cutAt` bytes of `source`, then ends the stream: closes it
 * (`truncate`: the client sees fewer bytes than Content-Length) or errors it
 * with {@linkcode InjectedReset} (`reset`: the connection is aborted). The
 * source is cancelled, releasing files behind it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cutBody } from "./faults.ts";
 * const src = new Response(new Uint8Array(10)).body!;
 * const out = await new Response(cutBody(src, 4, "close")).arrayBuffer();
 * assert(out.byteLength === 4);
 * ```
 */
export function cutBody(
  source: ReadableStream<Uint8Array>,
  cutAt: number,
  mode: "close" | "error",
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let sent = 0;
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    await reader.cancel().catch(() => {});
    if (mode === "close") controller.close();
    else controller.error(new InjectedReset());
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= cutAt) return finish(controller);
      const { done, value } = await reader.read();
      if (done) return finish(controller);
      const take = Math.min(value.length, cutAt - sent);
      if (take > 0) controller.enqueue(take === value.length ? value : value.subarray(0, take));
      sent += take;
      if (sent >= cutAt) await finish(controller);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Flips every bit of the byte at `position` (copying that chunk, never the
 * stored data); length is unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corruptBody } from "./faults.ts";
 * const out = new Uint8Array(await new Response(corruptBody(new Response(new Uint8Array(4)).body!, 2)).arrayBuffer());
 * assert(out[2] === 255 && out[1] === 0 && out.length === 4);
 * ```
 */
export function corruptBody(
  source: ReadableStream<Uint8Array>,
  position: number,
): ReadableStream<Uint8Array> {
  let offset = 0;
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const at = position - offset;
        offset += chunk.length;
        if (at >= 0 && at < chunk.length) {
          const copy = chunk.slice();
          copy[at] = copy[at]! ^ 0xff;
          controller.enqueue(copy);
        } else {
          controller.enqueue(chunk);
        }
      },
    }),
  );
}

/**
 * A response whose connection breaks right after the headers: `status` with
 * a Content-Length promising `length` bytes (at least one) and a body that
 * errors before sending any. Used for resets and lost responses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { brokenResponse } from "./faults.ts";
 * const res = brokenResponse(500, {}, 10);
 * assert(res.status === 500 && res.headers.get("content-length") === "10");
 * await res.body?.cancel();
 * ```
 */
export function brokenResponse(
  status: number,
  headers: HeadersInit,
  length: number,
): Response {
  const h = new Headers(headers);
  h.set("content-length", String(Math.max(1, length)));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new InjectedReset());
    },
  });
  return new Response(body, { status, headers: h });
}
