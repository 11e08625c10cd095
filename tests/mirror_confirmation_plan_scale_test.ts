// The plan that confirms a run's uploads (`confirmationPlan`) and a watch's
// listing scopes (`listingScopes`) over many keys: linear work, and no
// argument-count limit. A first upload of 20,000 files copied its group of
// keys once per key (200 million copies, ~70 MB of garbage at the end of the
// run); past ~120,000 keys a spread into `push` threw "Maximum call stack
// size exceeded". The work is counted as steps of array iterators (what a
// copy of an array by spreading takes), not timed.
import { assert, assertEquals } from "./assert.ts";
import { confirmationPlan, listingScopes } from "../src/mirror/lookup_plan.ts";
import { UploadRecord } from "../src/mirror/upload_record.ts";

/** Runs `fn`, counting the steps of every array iterator it takes. */
function arrayIteratorSteps(fn: () => void): number {
  const proto = Array.prototype as unknown as Record<symbol, () => Iterator<unknown>>;
  const original = proto[Symbol.iterator]!;
  let steps = 0;
  proto[Symbol.iterator] = function (this: unknown[]) {
    const inner = original.call(this);
    return {
      next() {
        steps++;
        return inner.next();
      },
      [Symbol.iterator]() {
        return this;
      },
    } as Iterator<unknown>;
  };
  try {
    fn();
  } finally {
    proto[Symbol.iterator] = original;
  }
  return steps;
}

const keysUnder = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}f${String(i).padStart(7, "0")}`);

Deno.test("confirmationPlan: the uploads of a first run cost steps in proportion to their number", () => {
  const keys = keysUnder("d/", 4000);
  let plan: ReturnType<typeof confirmationPlan> | undefined;
  const steps = arrayIteratorSteps(() => {
    plan = confirmationPlan(keys, new Map([["", 0]]));
  });
  assertEquals(plan!.heads, []);
  assertEquals([...plan!.lists.keys()], [""]);
  assertEquals(plan!.lists.get("")!.length, keys.length);
  // A copy of the group per key took ~8 million steps here.
  assert(steps <= 4 * keys.length, `${steps} array steps for ${keys.length} keys`);
});

Deno.test("confirmationPlan: 150,000 uploads in a scope below another one listed", () => {
  const keys = ["b", ...keysUnder("a/", 150_000)];
  const plan = confirmationPlan(keys, new Map([["", 0], ["a/", 0]]));
  assertEquals(plan.heads, []);
  assertEquals(plan.lists.get("")?.length, keys.length);
});

Deno.test("confirmationPlan: 150,000 uploads a HEAD each (a scope of many more objects)", () => {
  const keys = keysUnder("a/", 150_000);
  const plan = confirmationPlan(keys, new Map([["a/", 200_000_000]]));
  assertEquals(plan.lists.size, 0);
  assertEquals(plan.heads.length, keys.length);
});

Deno.test("listingScopes: 150,000 keys two directories down", () => {
  const keys = [...keysUnder("a/b/", 150_000), "a/x"];
  const scopes = listingScopes(keys, () => true);
  const covered = [...scopes.values()].reduce((n, s) => n + s.keys.length, 0);
  assertEquals(covered, keys.length);
});

Deno.test("UploadRecord: a run's uploads kept off the heap, the last answer of each key", () => {
  const record = new UploadRecord();
  try {
    const keys = ["z", "é", "\u{1F600}", "a/b", "\uFF21"];
    for (const [i, key] of keys.entries()) {
      record.set(key, { path: `/d/${key}`, size: i, etag: `"${i}"` });
    }
    record.set("z", { path: "/d/z", size: 9, etag: '"again"' });
    assertEquals(record.size, keys.length);
    // UTF-8 byte order, S3's (not UTF-16's: U+FF21 before U+1F600).
    assertEquals([...record.keys()], ["a/b", "z", "é", "\uFF21", "\u{1F600}"]);
    assertEquals(record.get("z"), { path: "/d/z", size: 9, etag: '"again"' });
    assertEquals(record.get("missing"), undefined);
  } finally {
    record[Symbol.dispose]();
    record[Symbol.dispose]();
  }
});
