/**
 * Names in the tests, sources and scripts say what they are for, never which
 * QA helper wrote them: buckets, temp dirs, secrets, test names and cache ID
 * fields were named after a helper's number (the letters "qa" and digits),
 * which tells a reader of a failure nothing about what the test checks.
 */
import { join, relative } from "node:path";
import { assertEquals } from "./assert.ts";
import { walkFiles } from "../src/walk.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const HELPER_NUMBER = /\bqa[-_ ]?\d+/gi;

/** `file:line: name` for each helper-number name in `text`. */
function helperNumberNames(file: string, text: string): string[] {
  return [...text.matchAll(HELPER_NUMBER)].map((m) =>
    `${file}:${text.slice(0, m.index).split("\n").length}: ${m[0]}`
  );
}

Deno.test("helper-number names: the pattern finds them, and not other words", () => {
  const q = "q" + "a"; // not spelled whole, so this file does not match itself
  const text = [
    `const BUCKET = "${q}3-assets";`,
    ` * ${q.toUpperCase()} 185, versioned cache edges:`,
    `mysql://vc:${q}14pgpass@db`,
    `{ ${q}2: "range" }`,
    "const quality = 'aqua1'; // qatar, equal2", // none of these
  ].join("\n");
  assertEquals(helperNumberNames("t.ts", text), [
    `t.ts:1: ${q}3`,
    `t.ts:2: ${q.toUpperCase()} 185`,
    `t.ts:3: ${q}14`,
    `t.ts:4: ${q}2`,
  ]);
});

Deno.test("helper-number names: none in tests, src or scripts, in text or file names", async () => {
  const found: string[] = [];
  let files = 0;
  for (const dir of ["tests", "src", "scripts"]) {
    for await (const entry of walkFiles(join(ROOT, dir))) {
      files++;
      const file = relative(ROOT, entry.path);
      found.push(...helperNumberNames(file, file).map((f) => `${f} (file name)`));
      if (!/\.(ts|js|md|json|sql|txt)$/.test(file)) continue;
      found.push(...helperNumberNames(file, await Deno.readTextFile(entry.path)));
    }
  }
  assertEquals(found, []);
  // The control: the walk saw the project's files.
  assertEquals(files > 500, true, `only ${files} files`);
});
