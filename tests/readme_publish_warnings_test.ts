/**
 * `deno publish --dry-run`, which a newcomer runs before publishing, warns
 * of every `import()` of a computed specifier (`unanalyzable-dynamic-import`).
 * The README says how many there are and where, and that none needs the
 * import map: it said "those two", both relative, when there were six, one
 * of them a `data:` module. Each warned call imports a constant that is
 * relative or `data:`, or (the command table) one of `COMMAND_MODULES`.
 */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { COMMAND_MODULES } from "../src/cli/command_table.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

Deno.test("README: deno publish's unanalyzable-dynamic-import warnings are the ones it names, none needing the import map", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty", "--no-check"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, said);
  const warned = [
    ...said.matchAll(/warning\[unanalyzable-dynamic-import\][^\n]*\n\s*--> (.+?):(\d+):\d+/g),
  ].map((m) => ({ file: relative(ROOT, m[1]!).replaceAll("\\", "/"), line: Number(m[2]) }));
  assert(warned.length > 0, said);

  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const at = readme.indexOf("`unanalyzable-dynamic-import` warnings");
  assert(at >= 0, "the README speaks of the warnings");
  // From the parenthesis it opens to the one that closes it, `import()` aside.
  const sentence = readme.slice(readme.lastIndexOf("(", at), readme.indexOf(").", at) + 1)
    .replace(/\s+/g, " ");
  assert(sentence.includes(`its ${NUMBERS[warned.length]} \``), `${warned.length}: ${sentence}`);
  const files = [...new Set(warned.map((w) => w.file))];
  assertEquals(files.filter((f) => !sentence.includes(`\`${f}\``)), [], sentence);

  for (const { file, line } of warned) {
    const source = await Deno.readTextFile(join(ROOT, file));
    const name = source.split("\n")[line - 1]!.match(/import\((\w+)\)/)?.[1];
    assert(name !== undefined, `${file}:${line} imports a name`);
    const value = source.match(new RegExp(`const ${name}(?:: string)? = "([^"]*)"`))?.[1];
    const values = value !== undefined
      ? [value]
      : file === "src/cli/command_table.ts"
      ? [...COMMAND_MODULES]
      : [];
    assert(values.length > 0, `${file}:${line}: where ${name} comes from`);
    for (const v of values) {
      assert(/^\.\.?\//.test(v) || v.startsWith("data:"), `${file}:${line}: ${name} = ${v}`);
    }
  }
});
