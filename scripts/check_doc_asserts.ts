/**
 * Fails when a source file's documentation uses `console.assert`, which only
 * logs in Deno: a doc example asserting with it passes `deno test --doc` even
 * when its value is wrong. Examples use a throwing assertion instead
 * (`import assert from "node:assert/strict"`).
 *
 * Usage: `deno run --allow-read scripts/check_doc_asserts.ts [PATH...]`
 * (default: `mod.ts cli.ts src`). Exit code 1 lists each offending line.
 *
 * @module
 */

const FORBIDDEN = "console.assert";

/** Every `.ts` file under `path` (or `path` itself), in sorted order. */
async function* tsFiles(path: string): AsyncGenerator<string> {
  const info = await Deno.stat(path);
  if (info.isFile) {
    if (path.endsWith(".ts")) yield path;
    return;
  }
  const names: string[] = [];
  for await (const entry of Deno.readDir(path)) names.push(entry.name);
  names.sort();
  for (const name of names) yield* tsFiles(`${path}/${name}`);
}

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

if (import.meta.main) {
  const roots = Deno.args.length > 0 ? Deno.args : ["mod.ts", "cli.ts", "src"];
  const found = await findConsoleAsserts(roots);
  if (found.length > 0) {
    console.error(
      `${FORBIDDEN} only logs, so these examples cannot fail; ` +
        `use a throwing assertion (import assert from "node:assert/strict"):`,
    );
    for (const line of found) console.error(`  ${line}`);
    Deno.exit(1);
  }
}
