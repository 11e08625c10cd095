/**
 * `deno task test:doc` runs the doc examples through `scripts/doc_tests.ts`,
 * many examples to a module instead of one worker each. These tests check it
 * runs the same examples as `deno test --doc`, with the same meaning: on a
 * fixture source file in a temp dir.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fileExamples } from "../scripts/doc_examples.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const SCRIPT = fileURLToPath(new URL("../scripts/doc_tests.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** A JSDoc comment of the given fenced blocks, each `[fence, code]`. */
function documented(blocks: [string, string][]): string {
  const lines = ["/**", " * @example"];
  for (const [fence, code] of blocks) {
    lines.push(` * ${fence}`, ...code.split("\n").map((l) => ` * ${l}`), " * ```", " *");
  }
  return [
    ...lines,
    " */",
    "export function double(n: number): number {",
    "  return 2 * n;",
    "}",
    "",
  ]
    .join("\n");
}

const MULTI_LINE_RELATIVE = [
  'import assert from "node:assert/strict";',
  "import {",
  "  double,",
  '} from "./lib.ts";',
  'import type { Num } from "./sub/types.ts";',
  'import * as helper from "./sub/helper.ts";',
  'import "./sub/side_effect.ts";',
  "const n: Num = double(helper.HALF);",
  "assert.equal(n, 1);",
  'assert.equal((globalThis as { sideEffect?: string }).sideEffect, "ran");',
  'const again = await import("./sub/helper.ts");',
  "assert.equal(again.HALF, 0.5);",
].join("\n");

async function fixture(blocks: [string, string][]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "vc_doc_tests_fixture_" });
  await Deno.mkdir(join(dir, "sub"));
  await Deno.writeTextFile(join(dir, "lib.ts"), documented(blocks));
  await Deno.writeTextFile(join(dir, "sub/types.ts"), "export type Num = number;\n");
  await Deno.writeTextFile(join(dir, "sub/helper.ts"), "export const HALF = 0.5;\n");
  await Deno.writeTextFile(
    join(dir, "sub/side_effect.ts"),
    '(globalThis as { sideEffect?: string }).sideEffect = "ran";\nexport {};\n',
  );
  return dir;
}

/** The names of the fixture's examples, `lib.ts#start-end`, in order. */
async function names(dir: string): Promise<string[]> {
  return fileExamples("lib.ts", await Deno.readTextFile(join(dir, "lib.ts")))
    .map((e) => `lib.ts#${e.start}-${e.end}`);
}

async function run(
  cmd: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: cmd,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  return { code, out };
}

Deno.test("doc tests: a throwing example fails the run and is named; ignored blocks do not run; imports are hoisted", async () => {
  const dir = await fixture([
    ["```ts", MULTI_LINE_RELATIVE],
    ["```ts ignore", 'throw new Error("the ignored block ran");'],
    ["```json", '{ "not": "code" }'],
    ["```ts", 'throw new Error("boom from example");'],
  ]);
  try {
    const [good, , , bad] = await names(dir);
    // The runner's temp dir, to see that it is removed.
    const tmp = join(dir, "tmp");
    await Deno.mkdir(tmp);
    const { code, out } = await run(["run", "-A", SCRIPT, "--jobs", "2", "lib.ts"], dir, {
      TMPDIR: tmp,
    });
    assertEquals(code, 1, out);
    assertStringIncludes(out, "boom from example");
    assertStringIncludes(out, `${good} ... ok`);
    assertStringIncludes(out, `${bad} ... FAILED`);
    assert(!out.includes("the ignored block ran"), out);
    // Named at the end, as Deno names the example.
    const listed = out.slice(out.lastIndexOf("doc examples failed:"));
    assertStringIncludes(listed, `\n  ${bad}`);
    assert(!listed.includes(good!), listed);
    // Every block Deno runs ran, no more.
    assertStringIncludes(listed, "2 examples of 2 ran");
    assertEquals([...Deno.readDirSync(tmp)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc tests: an example with a type error fails the check, named", async () => {
  const dir = await fixture([
    ["```ts", 'import assert from "node:assert/strict";\nassert.equal(1, 1);'],
    ["```ts", 'const s: string = 1;\nif (s !== "1") throw new Error("unreached");'],
  ]);
  try {
    const [good, bad] = await names(dir);
    const { code, out } = await run(["run", "-A", SCRIPT, "lib.ts"], dir);
    assertEquals(code, 1, out);
    assertStringIncludes(out, "TS2322");
    const listed = out.slice(out.lastIndexOf("failed the type check:"));
    assertStringIncludes(listed, `\n  ${bad}`);
    assert(!listed.includes(good!), listed);
    assert(!out.includes("running"), "no example runs after a failed check");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc tests: --no-check runs the examples without the type check, as deno test --doc --no-check does", async () => {
  const dir = await fixture([
    ["```ts", 'import assert from "node:assert/strict";\nassert.equal(1, 1);'],
    // A type error (caught without --no-check, above) whose code runs fine.
    [
      "```ts",
      'const s: string = 1 as unknown as number;\nif (String(s) !== "1") throw new Error("no");',
    ],
  ]);
  try {
    const [good, typeError] = await names(dir);
    const { code, out } = await run(
      ["run", "-A", SCRIPT, "--no-check", "--jobs", "1", "lib.ts"],
      dir,
    );
    assertEquals(code, 0, out);
    assert(!out.includes("TS2322"), out);
    assertStringIncludes(out, `${good} ... ok`);
    assertStringIncludes(out, `${typeError} ... ok`);
    assertStringIncludes(out, "all doc examples passed: 2 examples of 2 ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc tests: the examples found are those deno test --doc runs, by the same names", async () => {
  const dir = await fixture([
    ["```ts", MULTI_LINE_RELATIVE],
    ["```", "not code: <dir>/<file>"], // no language: Deno does not run it
    ["```typescript", 'import assert from "node:assert/strict";\nassert.equal(1, 1);'],
    ["```js", 'import assert from "node:assert/strict";\nassert.equal(2, 2);'],
    ["```ts ignore", 'throw new Error("the ignored block ran");'],
    ["```sh", "echo no"],
  ]);
  try {
    const deno = await run(["test", "--doc", "--no-check", "--config", CONFIG, "lib.ts"], dir);
    assertEquals(deno.code, 0, deno.out);
    const theirs = [...deno.out.matchAll(/^file:\/\/\S*\/(lib\.ts#\d+-\d+)\.\w+ \.\.\. ok/gm)]
      .map((m) => m[1]);
    const ours = await run(["run", "-A", SCRIPT, "lib.ts"], dir);
    assertEquals(ours.code, 0, ours.out);
    const mine = [...ours.out.matchAll(/^(lib\.ts#\d+-\d+) \.\.\. ok/gm)].map((m) => m[1]);
    assertEquals(mine.sort(), theirs.sort());
    assertEquals(mine.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc tests: an example that leaves a temp file behind fails the run, the entry named", async () => {
  const dir = await fixture([
    [
      "```ts",
      'const left = await Deno.makeTempFile({ prefix: "forgotten_by_example_" });\n' +
      'if (!left) throw new Error("no temp file");',
    ],
  ]);
  try {
    const tmp = join(dir, "tmp");
    await Deno.mkdir(tmp);
    const { code, out } = await run(["run", "-A", SCRIPT, "lib.ts"], dir, { TMPDIR: tmp });
    assertEquals(code, 1, out);
    assert(/^LEAK: the share left 1 entry in its TMPDIR/m.test(out), out);
    assert(/^ {2}forgotten_by_example_\w+$/m.test(out), out);
    assertStringIncludes(out.slice(out.lastIndexOf("doc examples failed:")), "left files");
    assertEquals([...Deno.readDirSync(tmp)], [], "the runner's own temp dir is still removed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc tests: a file with CRLF line endings has its examples found and run, as deno test --doc does", async () => {
  const dir = await fixture([["```ts", 'throw new Error("the CRLF example ran");']]);
  try {
    const lf = await Deno.readTextFile(join(dir, "lib.ts"));
    const crlf = lf.replaceAll("\n", "\r\n");
    // The same examples, lines and code (without the carriage returns).
    assertEquals(fileExamples("lib.ts", crlf), fileExamples("lib.ts", lf));
    await Deno.writeTextFile(join(dir, "lib.ts"), crlf);
    const ours = await run(["run", "-A", SCRIPT, "lib.ts"], dir);
    assertEquals(ours.code, 1, ours.out);
    assertStringIncludes(ours.out, "the CRLF example ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc tests: an error thrown outside any example's test still names the share that failed", async () => {
  const dir = await fixture([
    ["```ts", 'if (1 + 1 !== 2) throw new Error("math");'],
    // Thrown by a timer, not by the test: Deno names the module, no example.
    [
      "```ts",
      'setTimeout(() => { throw new Error("late failure"); }, 0);\n' +
      "await new Promise((r) => setTimeout(r, 100));",
    ],
    ["```ts", 'if (2 + 2 !== 4) throw new Error("math");'],
  ]);
  try {
    const ours = await run(["run", "-A", SCRIPT, "--jobs", "1", "lib.ts"], dir);
    assertEquals(ours.code, 1, ours.out);
    assertStringIncludes(ours.out, "late failure");
    const listed = ours.out.slice(ours.out.lastIndexOf("failed:"));
    assertStringIncludes(listed, "share_1.ts", ours.out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc tests: an example that exports a declaration runs, the export keyword dropped as deno test --doc does", async () => {
  const dir = await fixture([[
    "```ts",
    [
      'import assert from "node:assert/strict";',
      "export const base = 40;",
      "export function plus(n: number): number {",
      "  return base + n;",
      "}",
      "export class Box {",
      "  value = plus(2);",
      "}",
      "export type Boxed = Box;",
      "export interface Named {",
      "  name: string;",
      "}",
      "const boxed: Boxed = new Box();",
      "assert.equal(boxed.value, 42);",
    ].join("\n"),
  ]]);
  try {
    const deno = await run(["test", "--doc", "--config", CONFIG, "lib.ts"], dir);
    assertEquals(deno.code, 0, deno.out);
    const ours = await run(["run", "-A", SCRIPT, "lib.ts"], dir);
    assertEquals(ours.code, 0, ours.out);
    assertStringIncludes(ours.out, "all doc examples passed: 1 example of 1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
