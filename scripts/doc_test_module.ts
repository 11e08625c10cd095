/**
 * Turns a doc example into a test module, as `deno test --doc` does
 * (https://docs.deno.com/runtime/test/doc_tests/): the example's import
 * declarations at the top, the rest of it the body of one `Deno.test` (the
 * `export` of its declarations dropped).
 *
 * The module is written elsewhere than the documented file (a temp dir), so
 * relative specifiers, which the example means relative to that file, become
 * absolute file URLs: in import declarations and in literal `import("./x.ts")`
 * (dynamic imports and `typeof import(...)` types).
 *
 * Unlike Deno, the documented module's exports are not imported implicitly:
 * the project's examples import what they use, which also shows the reader
 * where it comes from.
 *
 * @module
 */

/**
 * An import declaration starting a line: `import x from "y"`, with `type`,
 * default, named (over several lines), namespace, or none (`import "y"`).
 * Not `import(` or `import.meta`, which are expressions.
 */
const IMPORT_DECLARATION =
  /^import\s*(?:type\b\s*)?(?:[\w$*{][^;]*?\bfrom\s*)?(["'])([^"'\n]+)\1[^;\n]*;?/gm;

/**
 * The `export` of a declaration starting a line (`export const x`, `export
 * async function f`, `export type T =`): inside `Deno.test` an export is a
 * syntax error, so Deno drops the keyword and the declaration stays in the
 * test's scope. Not `export {...}`, `export * from` or `export default`.
 */
const EXPORT_KEYWORD =
  /^export\s+(?=(?:(?:declare|abstract|async)\s+)*(?:function|class|const|let|var|interface|enum|namespace|type\s+(?!\{))\b)/gm;

/** A literal specifier of a dynamic import or an import type. */
const IMPORT_CALL = /\bimport\(\s*(["'])([^"'\n]+)\1/g;

/** `specifier`, absolute when relative to `base` (`./x.ts`, `../x.ts`). */
function absolute(specifier: string, base: URL): string {
  return /^\.\.?\//.test(specifier) ? new URL(specifier, base).href : specifier;
}

/**
 * The test module of the example `code` of the file at `fileUrl`, a
 * `Deno.test` named `name`.
 */
export function docTestModule(name: string, code: string, fileUrl: URL): string {
  const rewrite = (match: string, quote: string, specifier: string) =>
    match.replace(`${quote}${specifier}${quote}`, JSON.stringify(absolute(specifier, fileUrl)));
  const imports: string[] = [];
  const body = code.replace(IMPORT_DECLARATION, (declaration: string, ...groups: string[]) => {
    imports.push(rewrite(declaration, groups[0]!, groups[1]!));
    // Keeps the body's line count, so its lines stay near the example's.
    return "\n".repeat(declaration.split("\n").length - 1);
  }).replace(IMPORT_CALL, rewrite).replace(EXPORT_KEYWORD, "");
  return [
    ...imports,
    // A module even without imports: examples' top-level names must not meet.
    "export {};",
    `Deno.test(${JSON.stringify(name)}, async () => {`,
    body,
    "});",
    "",
  ].join("\n");
}
