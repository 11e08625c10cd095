/**
 * Patterns in the test files that let a test pass without checking what it
 * claims (the project's rule: a test asserts real behaviour and can fail):
 *
 * - `console.assert(...)` only logs in Deno;
 * - a loop that asserts on its first item and breaks, with nothing counting
 *   that an item came: an empty iteration passes it untested;
 * - a test skipped by returning early on the platform or environment
 *   (`if (Deno.build.os === "windows") return;`): it reports "ok" where it
 *   never ran; such a test is declared `ignore:` with its reason;
 * - a module-level `Deno.env.set`/`delete` or `Deno.chdir`: the test runner
 *   imports a batch's files into one worker (`scripts/test_shards.ts`), so
 *   it would change what the other files of the batch run under, unseen; a
 *   test sets them inside itself and restores them.
 */
import { assertEquals } from "./assert.ts";

const RULES: [RegExp, string][] = [
  [/^[ \t]*console\.assert\(/gm, "console.assert only logs; use assert"],
  [
    /^[ \t]*for (?:await )?\([^\n]*\) \{\n(?:[ \t]*assert[^\n]*\n)+[ \t]*break;\n/gm,
    "a loop that asserts on its first item and breaks: count the items, or an empty one passes",
  ],
  [
    /^[ \t]*if \([^\n]*(?:Deno\.build\.os|Deno\.env\.get|Deno\.uid\(\)|\bhave[A-Z]\w*|\bcan[A-Z]\w*)[^\n]*\) return;?[ \t]*(?:\/\/[^\n]*)?$/gm,
    "a test skipped by returning early: declare it `ignore:` with its reason",
  ],
  [
    // Whatever the condition, a comment that says why the test cannot run
    // here marks a skip (`if (!(await bind(a, b))) return; // not root`).
    /^[ \t]*if \([^\n]*\) return;?[ \t]*\/\/[^\n]*\b(?:not root|not allowed|not installed|not available|unavailable|unsupported|not supported|cannot run|skip\w*)\b[^\n]*$/gim,
    "a test skipped by returning early: declare it `ignore:` with its reason",
  ],
  [
    /^(?:Deno\.env\.(?:set|delete)|Deno\.chdir)\(/gm,
    "a module-level change of the environment or working directory reaches the other files of the batch: make it inside the test, and restore it",
  ],
];

/** `file:line: why` for each match of a rule in `text`. */
export function honestyFindings(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [pattern, why] of RULES) {
    for (const m of text.matchAll(pattern)) {
      found.push(`${file}:${text.slice(0, m.index).split("\n").length}: ${why}`);
    }
  }
  return found;
}

Deno.test("test honesty lint: each pattern is found, and its honest form is not", () => {
  const text = [
    'Deno.test("a", async () => {', // 1
    '  if (Deno.build.os === "windows") return;', // 2: skipped
    "  for await (const b of walk) {", // 3: first item, never counted
    '    assertEquals(b[0]!.key, "a.txt");',
    "    break;",
    "  }",
    "  console.assert(1 === 2);", // 7
    "  let taken = 0;",
    "  for await (const b of walk) {", // counted: fine
    "    taken++;",
    '    assertEquals(b[0]!.key, "a.txt");',
    "    break;",
    "  }",
    "  assertEquals(taken, 1);",
    "});",
    'Deno.test({ name: "b", ignore: Deno.build.os === "windows", fn() {} });',
    "function helper(x: number) {",
    "  if (x > 1) return;", // an ordinary early return: fine
    "}",
    'Deno.test("c", async () => {', // 20
    "  if (!(await bind(src, other))) return; // not root, or mounts not allowed", // 21: skipped
    "  if (Deno.uid() !== 0) return; // root only", // 22: skipped
    "  if (done) return; // the last item was seen", // an ordinary early return: fine
    "});",
    'Deno.env.set("VC_X", "1");', // 25: module level
    'Deno.chdir("/tmp");', // 26: module level
    'Deno.test("d", () => {',
    '  Deno.env.set("VC_X", "1");', // inside a test: fine
    "});",
  ].join("\n");
  assertEquals(
    honestyFindings("t.ts", text).map((f) => f.split(":").slice(0, 2).join(":")).sort(),
    [
      "t.ts:2",
      "t.ts:21",
      "t.ts:22",
      "t.ts:25",
      "t.ts:26",
      "t.ts:3",
      "t.ts:7",
    ],
  );
});

Deno.test("test honesty lint: the project's tests use none of the patterns", async () => {
  const dir = new URL(".", import.meta.url);
  const found: string[] = [];
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ts")) names.push(e.name);
  }
  names.sort();
  for (const name of names) {
    if (name === "test_honesty_lint_test.ts") continue; // its own examples
    found.push(...honestyFindings(name, await Deno.readTextFile(new URL(name, dir))));
  }
  assertEquals(names.length > 100, true, `only ${names.length} test files found`);
  assertEquals(found, []);
});
