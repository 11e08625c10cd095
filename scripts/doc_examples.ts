/**
 * Finds the fenced code blocks of JSDoc comments, and which of them
 * `deno test --doc` runs. One extractor for the two tools that must agree on
 * that: `scripts/check_doc_asserts.ts` (every run example asserts something)
 * and `scripts/doc_tests.ts` (runs them).
 *
 * @module
 */

/** Languages of the fenced blocks `deno test --doc` type-checks and runs. */
export const RUN_LANGS: ReadonlySet<string> = new Set([
  "ts",
  "typescript",
  "js",
  "javascript",
  "tsx",
  "jsx",
  "mts",
  "mjs",
]);

/** A fenced block of a JSDoc comment. */
export interface DocExample {
  /** The documented file, as found under the roots given. */
  file: string;
  /** Line of the opening fence (1-based). */
  start: number;
  /**
   * The line after the closing fence: with `start`, the range Deno names the
   * example by (`file#start-end`).
   */
  end: number;
  /** The opening fence line, trimmed (```` ```ts ````). */
  fence: string;
  /** The block's lines, without the comment's ` * ` prefix. */
  code: string;
  /**
   * Whether `deno test --doc` runs it: a block in one of `RUN_LANGS`, not
   * marked `ignore`. A block without a language is not run: Deno reads its
   * (empty) language as an unknown one, not as the file's.
   */
  runs: boolean;
}

/** Every `.ts` file under `path` (or `path` itself), in sorted order. */
export async function* tsFiles(path: string): AsyncGenerator<string> {
  const info = await Deno.stat(path);
  if (info.isFile) {
    if (path.endsWith(".ts")) yield path;
    return;
  }
  const names: string[] = [];
  for await (const entry of Deno.readDir(path)) names.push(entry.name);
  names.sort();
  for (const name of names) yield* tsFiles(`${path.replace(/\/$/, "")}/${name}`);
}

/** The fenced blocks of the JSDoc comments of `source`, the text of `file`. */
export function fileExamples(file: string, source: string): DocExample[] {
  // A CRLF file's fences would end in `\r`, and match no fence: its examples
  // would silently not run (Deno runs them). Lines keep their numbers.
  const text = source.replaceAll("\r\n", "\n");
  const found: DocExample[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const first = text.slice(0, comment.index).split("\n").length;
    const lines = comment[0].split("\n").map((l) => l.replace(/^\s*\*? ?/, ""));
    for (let i = 0; i < lines.length; i++) {
      const open = /^(`{3,})\s*(\S*)(.*)$/.exec(lines[i]!);
      if (!open) continue;
      const end = lines.findIndex((l, j) => j > i && l.trimEnd() === open[1]);
      const close = end < 0 ? lines.length : end;
      const lang = open[2]!.toLowerCase();
      const info = `${lang} ${open[3]}`.split(/[\s,]+/);
      found.push({
        file,
        start: first + i,
        end: first + close + 1,
        fence: lines[i]!.trim(),
        code: lines.slice(i + 1, close).join("\n"),
        runs: RUN_LANGS.has(lang) && !info.includes("ignore"),
      });
      i = close;
    }
  }
  return found;
}

/** The fenced blocks of the JSDoc comments of the `.ts` files under `roots`. */
export async function docExamples(roots: readonly string[]): Promise<DocExample[]> {
  const found: DocExample[] = [];
  for (const root of roots) {
    for await (const file of tsFiles(root)) {
      found.push(...fileExamples(file, await Deno.readTextFile(file)));
    }
  }
  return found;
}
