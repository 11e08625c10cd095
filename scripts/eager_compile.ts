/**
 * Marks the functions of a bundled module for eager compilation, so that
 * Deno's code cache of the module holds them.
 *
 * V8 compiles a function only when it is first called, unless the source
 * hints that it will be called at once: a function expression in
 * parentheses, `(function () {})`, is compiled with its module (V8's "PIFE"
 * heuristic). Deno makes a module's code cache right after compiling the
 * module, before it runs, so the cache holds the top-level code and the
 * eagerly compiled functions only: every run of a warm `vc path` compiled
 * the dozens of functions it calls again (about 3 ms of its start-up).
 * `esbuild` (`deno bundle`) drops such parentheses, so they are added to the
 * bundle afterwards: every function expression and arrow function gets
 * them, and every function declaration of a module or function body becomes
 * `var name = (function (...) {...});` at the start of that body (where the
 * declaration was hoisted to anyway). Class and object methods cannot carry
 * the hint and stay lazy; so do declarations inside blocks.
 *
 * Only for the release bundle, whose code is the lean `vc path` entry and
 * nearly all of it runs on a warm hit (see `scripts/compile.ts`).
 *
 * @module
 */
import { parse } from "npm:acorn@^8.15.0";

// acorn's ESTree nodes, as far as they are read here.
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

type Edit =
  | { kind: "open"; at: number }
  | { kind: "close"; at: number }
  | { kind: "move"; at: number; end: number }
  | { kind: "hoist"; at: number; declarations: Node[] };

// At one position: a closing parenthesis ends the node before the next one
// opens; hoisted declarations go before what starts there.
const ORDER: Record<Edit["kind"], number> = { close: 0, hoist: 1, move: 2, open: 3 };

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null &&
    typeof (value as { type?: unknown }).type === "string";
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "start" || key === "end") continue;
    if (Array.isArray(value)) out.push(...value.filter(isNode));
    else if (isNode(value)) out.push(value);
  }
  return out;
}

// A function's value slot that cannot take parentheses: methods, getters,
// setters (`{ m() {} }`, `class { m() {} }`).
function isMethodValue(parent: Node | undefined): boolean {
  if (parent?.type === "MethodDefinition") return true;
  return parent?.type === "Property" && (parent.method === true || parent.kind !== "init");
}

// The statement list whose function declarations are hoisted with `var`:
// a module's, or a function's own body (not a nested block, where a
// declaration is block-scoped).
function declarationBody(node: Node, parent: Node | undefined): Node[] | undefined {
  if (node.type === "Program") return node.body as Node[];
  if (
    node.type === "BlockStatement" && parent !== undefined && parent.body === node &&
    /Function/.test(parent.type)
  ) {
    return node.body as Node[];
  }
  return undefined;
}

/**
 * `source` (an ES module) with its functions marked for eager compilation,
 * as described in the module documentation; behaves the same. Throws
 * `SyntaxError` when `source` does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eagerCompileHints } from "./eager_compile.ts";
 * const out = eagerCompileHints("export const a = twice(2);\nfunction twice(x) { return x * 2; }\n");
 * assert.equal(out, "var twice=(function (x) { return x * 2; });export const a = twice(2);\n\n");
 * assert.equal(eagerCompileHints("export const f = (x) => x + 1;\n"), "export const f = ((x) => x + 1);\n");
 * ```
 */
export function eagerCompileHints(source: string): string {
  const program = parse(source, {
    ecmaVersion: "latest",
    sourceType: "module",
    preserveParens: true,
  }) as unknown as Node;
  const edits: Edit[] = [];
  // Iterative walk: bundles nest deeply enough to make recursion a risk.
  const stack: [Node, Node | undefined][] = [[program, undefined]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    if (
      (node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression") &&
      parent?.type !== "ParenthesizedExpression" &&
      // An arrow function as a statement of its own: a parenthesis there could
      // join it to the statement before (no semicolon in between).
      parent?.type !== "ExpressionStatement" &&
      !isMethodValue(parent)
    ) {
      edits.push({ kind: "open", at: node.start }, { kind: "close", at: node.end });
    }
    const body = declarationBody(node, parent);
    const declarations = body?.filter((s) => s.type === "FunctionDeclaration" && isNode(s.id));
    if (body !== undefined && declarations !== undefined && declarations.length > 0) {
      // After the directives ("use strict"), which must stay first.
      let at = node.type === "Program" ? 0 : node.start + 1;
      for (const statement of body) {
        if (statement.type !== "ExpressionStatement" || statement.directive === undefined) break;
        at = statement.end;
      }
      edits.push({ kind: "hoist", at, declarations });
      for (const d of declarations) edits.push({ kind: "move", at: d.start, end: d.end });
    }
    for (const child of children(node).reverse()) stack.push([child, node]);
  }
  edits.sort((a, b) => a.at - b.at || ORDER[a.kind] - ORDER[b.kind]);

  // The source of [start, end) with the edits inside it applied; a moved
  // declaration is rendered where it is hoisted to. For a declaration's own
  // range (`own`), its move and the hoisting into its body when it is the
  // body's first statement are the caller's.
  const render = (start: number, end: number, own = false): string => {
    let out = "";
    let pos = start;
    let skipUntil = -1;
    for (let i = firstEdit(edits, start); i < edits.length && edits[i]!.at <= end; i++) {
      const e = edits[i]!;
      if (e.at < skipUntil) continue;
      if (own && e.at === start && (e.kind === "move" || e.kind === "hoist")) continue;
      // What begins where the range ends is not the range's.
      if (e.kind !== "close" && e.at === end) continue;
      out += source.slice(pos, e.at);
      pos = e.at;
      if (e.kind === "open") out += "(";
      else if (e.kind === "close") out += ")";
      else if (e.kind === "move") pos = skipUntil = e.end;
      else {
        for (const d of e.declarations) {
          const id = d.id as Node & { name: string };
          // Anonymous: inside its body the name is then the `var`, as it was
          // the declaration's binding (a named expression's name is read-only).
          out += `var ${id.name}=(${render(d.start, id.start, true)}${render(id.end, d.end)});`;
        }
      }
    }
    return out + source.slice(pos, end);
  };
  const result = render(0, source.length);
  // Never ship a bundle that does not parse.
  parse(result, { ecmaVersion: "latest", sourceType: "module" });
  return result;
}

function firstEdit(edits: readonly Edit[], at: number): number {
  let lo = 0;
  let hi = edits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edits[mid]!.at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
