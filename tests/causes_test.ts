import { assert, assertEquals } from "./assert.ts";
import { causes, findCause, hasCause, MAX_CAUSE_DEPTH } from "../src/causes.ts";
import { causeChain, errorKind, NotFoundError } from "../src/errors.ts";
import { isThrottled, throttledError } from "../src/store/throttled.ts";
import { isNoCredentials, noCredentialsError } from "../src/store/no_credentials.ts";
import { isTransientError, isUnreachableError } from "../src/store/retry.ts";
import { unwritableCacheDir, unwritableCacheDirError } from "../src/cache/unwritable_cache_dir.ts";
import { formatError } from "../src/cli/errors.ts";

/** `inner` wrapped `n` times in plain Errors. */
function wrapped(inner: unknown, n: number): unknown {
  let e = inner;
  for (let i = 0; i < n; i++) e = new Error(`wrap ${i}`, { cause: e });
  return e;
}

Deno.test("causes: the error, then each Error's cause, outermost first", () => {
  const root = new RangeError("root");
  const mid = new Error("mid", { cause: root });
  const top = new Error("top", { cause: mid });
  const seen = [...causes(top)];
  assert(seen.length === 3 && seen[0] === top && seen[1] === mid && seen[2] === root);
});

Deno.test("causes: a value that is not an Error is yielded and ends the walk", () => {
  const plain = { cause: new Error("never reached") };
  assertEquals([...causes(new Error("e", { cause: plain }))].length, 2);
  assertEquals([...causes("thrown string")], ["thrown string"]);
  assertEquals([...causes(new Error("e", { cause: null }))].at(-1), null);
  assertEquals([...causes(undefined)], []);
});

Deno.test("causes: a cycle or a runaway chain stops after MAX_CAUSE_DEPTH links", () => {
  const loop = new Error("loop");
  loop.cause = loop;
  assertEquals([...causes(loop)].length, MAX_CAUSE_DEPTH);
  assertEquals([...causes(wrapped(new Error("deep"), 20))].length, MAX_CAUSE_DEPTH);
});

Deno.test("findCause: the first link that passes, narrowed by a type guard", () => {
  const inner = new NotFoundError("gone");
  const found = findCause(
    wrapped(inner, 3),
    (e): e is NotFoundError => e instanceof NotFoundError,
  );
  assert(found === inner);
  // Beyond the bound it is not found.
  assertEquals(findCause(wrapped(inner, MAX_CAUSE_DEPTH), (e) => e === inner), undefined);
  // A non-Error link is tested too (a signal's reason may be a string).
  assertEquals(findCause(new Error("e", { cause: "why" }), (e) => e === "why"), "why");
});

Deno.test("hasCause: only Errors are tested", () => {
  const reset = Object.assign(new Error("reset"), { code: "ECONNRESET" });
  assert(hasCause(wrapped(reset, 2), (e) => (e as { code?: unknown }).code === "ECONNRESET"));
  let tested = 0;
  assert(!hasCause(new Error("e", { cause: "text" }), () => (tested++, false)));
  assertEquals(tested, 1);
});

Deno.test("the cause-chain questions all see through wrapping and end on a cycle", () => {
  const loop = new Error("loop");
  loop.cause = loop;
  assert(isThrottled(wrapped(throttledError(new Error("503 SlowDown")), 3)));
  assert(!isThrottled(loop));
  assert(isNoCredentials(wrapped(noCredentialsError("no usable AWS credentials"), 3)));
  assert(!isNoCredentials(loop));
  assertEquals(
    unwritableCacheDir(wrapped(unwritableCacheDirError(new Error("ro"), "/c"), 3)),
    "/c",
  );
  assertEquals(unwritableCacheDir(loop), undefined);
  assert(isUnreachableError(wrapped(new TypeError("tcp connect error: Connection refused"), 2)));
  assert(!isUnreachableError(loop));
  assert(!isTransientError(loop));
  assertEquals(errorKind(wrapped(new NotFoundError("gone"), 3)), "NotFoundError");
  assertEquals(errorKind(loop), "VcError");
  assertEquals(causeChain(loop), "loop");
});

Deno.test("formatError --verbose: each cause after the first is 'caused by', also in a cycle", () => {
  const loop = new Error("loop");
  loop.cause = loop;
  const text = formatError(loop, { verbose: true });
  assertEquals(text.match(/^caused by: Error: loop$/gm)?.length, MAX_CAUSE_DEPTH - 1);
  assertEquals(text.split("\n").filter((l) => l === "Error: loop").length, 1);
});
