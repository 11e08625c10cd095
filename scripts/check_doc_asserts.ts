/**
 * Fails when a source file's documentation uses `console.assert`, which only
 * logs in Deno: a doc example asserting with it passes `deno test --doc` even
 * when its value is wrong. Examples use a throwing assertion instead
 * (`import assert from "node:assert/strict"`).
 *
 * Also fails on a doc example that `deno test --doc` runs (a ```ts, ```js,
 * ```tsx or ```jsx block of a JSDoc comment, not marked `ignore`) and that
 * checks nothing: one with no `assert(...)`/`assert.x(...)` call and no
 * `throw`. Such an example passes whatever the code does.
 *
 * Usage: `deno run --allow-read scripts/check_doc_asserts.ts [PATH...]`
 * (default: `mod.ts cli.ts src`). Exit code 1 lists each offending line.
 *
 * @module
 */

import { docExamples, tsFiles } from "./doc_examples.ts";

const FORBIDDEN = "console.assert";

/** `file:line: text` for each line of the files under `roots` that uses `console.assert`. */
export async function findConsoleAsserts(roots: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) {
    for await (const file of tsFiles(root)) {
      const lines = (await Deno.readTextFile(file)).split("\n");
      lines.forEach((line, i) => {
        if (line.includes(FORBIDDEN)) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  return found;
}

/** A call of `assert` or one of its methods (`assert.equal(`, `assert.rejects(`...), or a `throw`. */
const CHECKS = /\bassert(?:\.\w+)?\s*\(|\bthrow\b/;

/**
 * `file:line: text` for each doc example under `roots` that `deno test --doc`
 * runs but that asserts nothing (see the module doc); `line` is the
 * example's opening fence.
 */
export async function findAssertlessExamples(roots: readonly string[]): Promise<string[]> {
  return (await docExamples(roots))
    .filter((e) => e.runs && !CHECKS.test(e.code))
    .map((e) => `${e.file}:${e.start}: ${e.fence} example asserts nothing`);
}

if (import.meta.main) {
  const roots = Deno.args.length > 0 ? Deno.args : ["mod.ts", "cli.ts", "src"];
  const found = await findConsoleAsserts(roots);
  if (found.length > 0) {
    console.error(
      `${FORBIDDEN} only logs, so these examples cannot fail; ` +
        `use a throwing assertion (import assert from "node:assert/strict"):`,
    );
    for (const line of found) console.error(`  ${line}`);
  }
  const idle = await findAssertlessExamples(roots);
  if (idle.length > 0) {
    console.error(
      "these doc examples check nothing, so they pass whatever the code does; " +
        'assert what they show (import assert from "node:assert/strict"):',
    );
    for (const line of idle) console.error(`  ${line}`);
  }
  if (found.length > 0 || idle.length > 0) Deno.exit(1);
}
