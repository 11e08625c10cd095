/**
 * A bound on a streamed file download whose store stops sending mid-body.
 *
 * An S3 store hands the service fetch's own body (`GetOptions.rawBody`),
 * which `Deno.serve` would relay socket to socket without JavaScript: fast,
 * but nothing can stop that relay once it started (aborting the store's
 * request, cancelling its body or closing its HTTP client leave it running,
 * measured on Deno 2.9.6). A store that went silent mid-body (its
 * connection open: an overloaded S3-compatible server, a connection a
 * network device dropped without a reset) then held the client for good,
 * and a client with no timeout of its own (Python `requests`, `curl`) hung
 * forever; the download bound's "cut" was only a log line. Passed through
 * {@linkcode idleBoundedBody}, the body fails once a read of it has brought
 * nothing for the store's idle timeout, or when the download's bound cuts
 * it: `Deno.serve` then closes the connection, so the client sees a body
 * shorter than its `Content-Length` (curl exit 18, `requests`'
 * `ChunkedEncodingError`/`IncompleteRead`), never one that looks complete.
 * The price is JavaScript per chunk: about 1 CPU s more per GiB relayed
 * (README, Performance).
 *
 * @module
 */
import { deadline } from "../deadline.ts";

/**
 * `body` passed on chunk by chunk (no copy). Fails with `stalled(bytes)`
 * (`bytes`: what was passed on) once one read of `body` has brought nothing
 * for `idleMs` (0 or Infinity: no bound), and with `cut`'s reason when it
 * aborts; `body` is then cancelled, which drops the store's connection. A
 * consumer that stops reading is not a stall: nothing is read from `body`
 * meanwhile (that is `cut`'s to bound). `onStop` hears the bytes passed on
 * when it ends short: it failed (a stall, the cut, or `body`'s own error:
 * `failed` is the reason) or its consumer cancelled it (a client that left
 * mid-body: `failed` undefined).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { idleBoundedBody } from "./relay_idle.ts";
 * let sent = false;
 * const stalls = new ReadableStream<Uint8Array>({
 *   async pull(controller) {
 *     if (sent) await new Promise(() => {}); // silent, its connection open
 *     sent = true;
 *     controller.enqueue(new Uint8Array(3));
 *   },
 * });
 * const body = idleBoundedBody(stalls, 20, undefined, (n) => new Error(`stalled after ${n}`));
 * const alive = setInterval(() => {}, 1000); // a server keeps the process alive
 * await assert.rejects(new Response(body).bytes(), /stalled after 3/);
 * clearInterval(alive);
 * const whole = idleBoundedBody(new Response("abc").body!, 20, undefined, () => new Error("no"));
 * assert.equal(await new Response(whole).text(), "abc");
 * ```
 */
/** The reasons {@linkcode idleBoundedBody} failed a body with (see {@linkcode relayFailure}). */
const relayFailures = new WeakSet<object>();

/**
 * Whether `error` is what an {@linkcode idleBoundedBody} failed its body
 * with: `Deno.serve` hands a response body's error to its `onError`, and
 * such a failure is told on its own request's log line (through `onStop`),
 * not again on a line of its own with no request id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { idleBoundedBody, relayFailure } from "./relay_idle.ts";
 * const broken = new Error("the store's file ended early");
 * const source = new ReadableStream<Uint8Array>({ pull: (c) => c.error(broken) });
 * const body = idleBoundedBody(source, 0, undefined, () => new Error("stalled"));
 * await assert.rejects(new Response(body).bytes(), /ended early/);
 * assert(relayFailure(broken) && !relayFailure(new Error("other")));
 * ```
 */
export function relayFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && relayFailures.has(error);
}

export function idleBoundedBody(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  cut: AbortSignal | undefined,
  stalled: (bytes: number) => Error,
  onStop?: (bytes: number, failed?: unknown) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // When the read now waiting on `body` started (-1: none waiting). One
  // deadline per download, moved on by reads: no timer per chunk.
  let waitingSince = -1;
  let bytes = 0;
  let ended = false;
  let stopWatch = (): void => {};
  let fail = (_reason: unknown): void => {};
  const onCut = (): void => fail(cut!.reason);
  const end = (): void => {
    ended = true;
    stopWatch();
    cut?.removeEventListener("abort", onCut);
  };
  const watch = (ms: number): void => {
    stopWatch = deadline(ms, () => {
      if (ended) return;
      if (waitingSince < 0) return watch(idleMs);
      const waited = performance.now() - waitingSince;
      if (waited >= idleMs) fail(stalled(bytes));
      else watch(idleMs - waited);
    });
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      fail = (reason) => {
        if (ended) return;
        end();
        onStop?.(bytes, reason);
        if (typeof reason === "object" && reason !== null) relayFailures.add(reason);
        controller.error(reason);
        reader.cancel(reason).catch(() => {});
      };
      if (cut?.aborted) return fail(cut.reason);
      cut?.addEventListener("abort", onCut, { once: true });
      if (idleMs > 0 && idleMs < Infinity) watch(idleMs);
    },
    async pull(controller) {
      waitingSince = performance.now();
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        fail(e);
        return;
      }
      waitingSince = -1;
      if (ended) return;
      if (step.done) {
        end();
        controller.close();
        return;
      }
      bytes += step.value.length;
      controller.enqueue(step.value);
    },
    cancel(reason) {
      if (!ended) onStop?.(bytes);
      end();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
