// The plan that confirms a run's uploads (`confirmationPlan`) and a watch's
// listing scopes (`listingScopes`) over many keys: linear work, and no
// argument-count limit. A first upload of 20,000 files copied its group of
// keys once per key (200 million copies, ~70 MB of garbage at the end of the
// run); past ~120,000 keys a spread into `push` threw "Maximum call stack
// size exceeded". The work is counted as steps of array iterators (what a
// copy of an array by spreading takes), not timed. And the memory: the plan
// reads the keys once and keeps counts, not the keys (a first upload of
// 100,000 files held them all, ~1.2 KB of RSS per file), and the record
// gives back what is left to confirm a page at a time.
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
  assertEquals(plan!.heads, 0);
  assertEquals([...plan!.lists], [["", keys.length]]);
  // A copy of the group per key took ~8 million steps here.
  assert(steps <= 4 * keys.length, `${steps} array steps for ${keys.length} keys`);
});

Deno.test("confirmationPlan: 150,000 uploads in a scope below another one listed", () => {
  const keys = ["b", ...keysUnder("a/", 150_000)];
  const plan = confirmationPlan(keys, new Map([["", 0], ["a/", 0]]));
  assertEquals(plan.heads, 0);
  assertEquals(plan.lists.get(""), keys.length);
  assertEquals(plan.scopeOf("a/f0000001"), "");
});

Deno.test("confirmationPlan: 150,000 uploads a HEAD each (a scope of many more objects)", () => {
  const keys = keysUnder("a/", 150_000);
  const plan = confirmationPlan(keys, new Map([["a/", 200_000_000]]));
  assertEquals(plan.lists.size, 0);
  assertEquals(plan.heads, keys.length);
  assertEquals(plan.scopeOf("a/f0000001"), undefined);
});

/** `keys` as an iterable that may be read once only. */
function once(keys: Iterable<string>): Iterable<string> {
  let read = false;
  return {
    [Symbol.iterator]() {
      if (read) throw new Error("the keys were read twice");
      read = true;
      return keys[Symbol.iterator]();
    },
  };
}

Deno.test("confirmationPlan: 150,000 keys read once, as they come, and counted, not kept", () => {
  function* keys() {
    for (let i = 0; i < 150_000; i++) yield `d${i % 7}/f${String(i).padStart(7, "0")}`;
  }
  const plan = confirmationPlan(once(keys()), new Map([["", 0]]));
  assertEquals([...plan.lists], [["", 150_000]]);
  assertEquals(plan.heads, 0);
  assertEquals(plan.scopeOf("d3/f0000003"), "");
});

Deno.test("confirmationPlan: each upload told to its listing or its HEAD, as the groups were", () => {
  // a/ and a/b/ listed (a/b/ goes to a/), c/ full of objects (HEADs), x not in any.
  const listed = new Map([["a/", 10], ["a/b/", 10], ["c/", 50_000]]);
  const keys = ["a/1", "a/2", "a/b/1", "a/b/2", "c/1", "x"];
  const plan = confirmationPlan(once(keys), listed, 1000);
  assertEquals([...plan.lists], [["a/", 4]]);
  assertEquals(plan.heads, 2);
  assertEquals(keys.map((k) => plan.scopeOf(k)), ["a/", "a/", "a/", "a/", undefined, undefined]);
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

Deno.test("UploadRecord: what is left to confirm read back a page at a time, written between", () => {
  using record = new UploadRecord();
  const keys = keysUnder("d/", 2_500);
  for (const key of keys) record.set(key, { path: `/t/${key}`, size: 1, etag: '"e"' });
  for (const key of keys.filter((_, i) => i % 2 === 0)) record.found(key);
  const left: string[] = [];
  for (const key of record.unfound(100)) {
    left.push(key);
    // Written while read (a HEAD's failure; a key ahead marked found).
    record.fail(key, "missing");
    if (key === "d/f0000101") record.found("d/f0000999");
  }
  assertEquals(left, keys.filter((k, i) => i % 2 === 1 && k !== "d/f0000999"));
  const failures = [...record.failures()];
  assertEquals(failures.length, left.length);
  assertEquals(failures[0], {
    key: "d/f0000001",
    path: "/t/d/f0000001",
    size: 1,
    problem: "missing",
  });
  // Uploaded again: found and failed no more.
  record.set("d/f0000000", { path: "/t/x", size: 2, etag: '"f"' });
  record.set("d/f0000001", { path: "/t/y", size: 2, etag: '"f"' });
  assertEquals([...record.unfound()].slice(0, 3), ["d/f0000000", "d/f0000001", "d/f0000003"]);
  assertEquals([...record.failures()][0]?.key, "d/f0000003");
});
