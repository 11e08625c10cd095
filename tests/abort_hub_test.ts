import assert from "node:assert/strict";
import { forwardAbort, HubController, onAbort } from "../src/abort_hub.ts";

// Each case for a plain controller (one event listener behind the callbacks)
// and for a HubController (its abort() runs them, no listener).
const CONTROLLERS: [string, () => AbortController][] = [
  ["AbortController", () => new AbortController()],
  ["HubController", () => new HubController()],
];

for (const [kind, makeController] of CONTROLLERS) {
  Deno.test(`onAbort (${kind}): each registration runs once, in order; stopped ones never`, () => {
    const controller = makeController();
    const calls: string[] = [];
    const a = () => calls.push("a");
    onAbort(controller.signal, a);
    onAbort(controller.signal, a); // the same function twice: called twice
    const stopB = onAbort(controller.signal, () => calls.push("b"));
    onAbort(controller.signal, () => calls.push("c"));
    stopB();
    controller.abort();
    controller.abort();
    assert.deepEqual(calls, ["a", "a", "c"]);
  });

  Deno.test(`onAbort (${kind}): a callback stopped by an earlier one during the abort is not called`, () => {
    const controller = makeController();
    const calls: string[] = [];
    let stopSecond = () => {};
    onAbort(controller.signal, () => {
      calls.push("first");
      stopSecond();
    });
    stopSecond = onAbort(controller.signal, () => calls.push("second"));
    controller.abort();
    assert.deepEqual(calls, ["first"]);
  });

  Deno.test(`onAbort (${kind}): a throwing callback is reported and the others still run`, () => {
    const controller = makeController();
    const reported: unknown[] = [];
    const onError = (e: ErrorEvent) => {
      e.preventDefault();
      reported.push(e.error);
    };
    globalThis.addEventListener("error", onError);
    try {
      let ran = false;
      onAbort(controller.signal, () => {
        throw new Error("boom");
      });
      onAbort(controller.signal, () => (ran = true));
      controller.abort();
      assert(ran);
      assert.equal((reported[0] as Error).message, "boom");
    } finally {
      globalThis.removeEventListener("error", onError);
    }
  });

  Deno.test(`onAbort (${kind}): signals are independent; an aborted signal never calls a later registration`, () => {
    const one = makeController();
    const two = makeController();
    let ones = 0;
    let twos = 0;
    onAbort(one.signal, () => ones++);
    onAbort(two.signal, () => twos++);
    one.abort();
    assert.deepEqual([ones, twos], [1, 0]);
    onAbort(one.signal, () => ones++); // after the abort: as with an event listener, never called
    two.abort();
    assert.deepEqual([ones, twos], [1, 1]);
  });
}

Deno.test("HubController: callbacks run after the signal's listeners, dependents abort, the reason is kept", () => {
  const controller = new HubController();
  const order: string[] = [];
  onAbort(controller.signal, () => order.push(`callback ${controller.signal.aborted}`));
  controller.signal.addEventListener("abort", () => order.push("listener"));
  const dependent = AbortSignal.any([controller.signal]);
  const caller = new AbortController();
  const stop = forwardAbort(caller.signal, controller);
  const reason = new Error("stop");
  caller.abort(reason);
  stop();
  controller.abort(new Error("later")); // once only
  assert.deepEqual(order, ["listener", "callback true"]);
  assert.equal(controller.signal.reason, reason);
  assert.equal(dependent.reason, reason);
  onAbort(controller.signal, () => order.push("late")); // after the abort: never called
  controller.abort();
  assert.equal(order.length, 2);
});
