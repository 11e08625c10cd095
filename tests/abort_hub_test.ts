import assert from "node:assert/strict";
import { onAbort } from "../src/abort_hub.ts";

Deno.test("onAbort: each registration runs once, in order; stopped ones never", () => {
  const controller = new AbortController();
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

Deno.test("onAbort: a callback stopped by an earlier one during the abort is not called", () => {
  const controller = new AbortController();
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

Deno.test("onAbort: a throwing callback is reported and the others still run", () => {
  const controller = new AbortController();
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

Deno.test("onAbort: signals are independent; an aborted signal never calls a later registration", () => {
  const one = new AbortController();
  const two = new AbortController();
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
