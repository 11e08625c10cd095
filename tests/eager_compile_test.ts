// The release bundle's eager-compilation hints (scripts/eager_compile.ts):
// the marked module behaves as the original, and every function that can
// carry the hint carries it.
import { parse } from "npm:acorn@^8.15.0";
import { eagerCompileHints } from "../scripts/eager_compile.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

// Hoisting, recursion, a function replacing itself, nested declarations
// after a directive, block-scoped declarations, async functions,
// generators, methods, getters, class fields, default parameters, an arrow
// function as a statement, and exports of declared functions.
const SAMPLE = `
export const early = twice(21);
function twice(x) { return x * 2; }
function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); }
function once() { once = () => "again"; return "first"; }
export const calls = [once(), once()];
function outer(a) {
  "use strict";
  const r = inner(a);
  function inner(b) { return b + 1; }
  if (a > 0) { function blockScoped() { return "block"; } return [r, blockScoped()]; }
  return [r];
}
async function slow(x) { await null; return x + 1; }
function* gen() { yield 1; yield* [2, 3]; }
class K {
  field = (x) => x * 3;
  static s = function () { return "s"; };
  m(y = twice(1)) { return y; }
  get g() { return "g"; }
}
const o = { m() { return "m"; }, get g() { return "og"; }, f: function () { return "f"; }, a: () => "a" };
let side = 0;
(() => { side = 1; })();
[1].forEach(() => { side += 1; });
export { fact, outer, slow, gen, K, o };
export const result = async () => ({
  fact: fact(5),
  outer: [outer(1), outer(0)],
  slow: await slow(1),
  gen: [...gen()],
  k: [new K().field(2), K.s(), new K().m(), new K().g],
  o: [o.m(), o.g, o.f(), o.a()],
  side,
  names: [twice.name, fact.name, slow.name, gen.name, o.f.name, o.a.name, K.s.name, new K().field.name],
});
export default function () { return "default"; }
`;

async function evaluate(source: string): Promise<Record<string, unknown>> {
  const file = await Deno.makeTempFile({ suffix: ".js" });
  try {
    await Deno.writeTextFile(file, source);
    const mod = await import(`file://${file}`);
    return {
      early: mod.early,
      calls: mod.calls,
      result: await mod.result(),
      default: mod.default(),
    };
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("eager compile hints: the marked module behaves as the original", async () => {
  const marked = eagerCompileHints(SAMPLE);
  assert(marked !== SAMPLE);
  const expected = await evaluate(SAMPLE);
  assertEquals(expected.early, 42); // the sample itself works as described
  assertEquals(expected.calls, ["first", "again"]);
  assertEquals(await evaluate(marked), expected);
});

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function walk(node: Node, visit: (node: Node, parent: Node | undefined) => void): void {
  const stack: [Node, Node | undefined][] = [[node, undefined]];
  while (stack.length > 0) {
    const [n, parent] = stack.pop()!;
    visit(n, parent);
    for (const [key, value] of Object.entries(n)) {
      if (key === "start" || key === "end") continue;
      const list = Array.isArray(value) ? value : [value];
      for (const c of list) {
        if (typeof c === "object" && c !== null && typeof c.type === "string") stack.push([c, n]);
      }
    }
  }
}

Deno.test("eager compile hints: every function that can carry the hint carries it", () => {
  const marked = eagerCompileHints(SAMPLE);
  const program = parse(marked, {
    ecmaVersion: "latest",
    sourceType: "module",
    preserveParens: true,
  }) as unknown as Node;
  let hinted = 0;
  const unhinted: string[] = [];
  walk(program, (node, parent) => {
    if (node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression") {
      const method = parent?.type === "MethodDefinition" ||
        (parent?.type === "Property" && (parent.method === true || parent.kind !== "init"));
      if (parent?.type === "ParenthesizedExpression") hinted++;
      else if (!method && parent?.type !== "ExpressionStatement") {
        unhinted.push(marked.slice(node.start, node.end));
      }
    }
    // Function declarations remain only where they are block-scoped, and
    // as the anonymous default export (an expression of its own kind).
    if (node.type === "FunctionDeclaration" && node.id !== null) {
      const name = (node.id as { name: string }).name;
      assertEquals(name, "blockScoped");
    }
  });
  assertEquals(unhinted, []);
  // twice, fact, once, outer, inner, slow, gen, the field, K.s, o.f, o.a,
  // the once replacement, the forEach callback, result and the IIFE's arrow.
  assert(hinted >= 14, `only ${hinted} hinted`);
  // The directive stays first in its function; the hoisted inner follows.
  assert(/"use strict";\s*var inner=\(function/.test(marked), marked);
});

Deno.test("eager compile hints: a declaration first in its body (module start, function start)", async () => {
  const source = "function a() { function b() { return 1; } return b() + c(); }\n" +
    "function c() { return 2; }\nexport const v = a();\n";
  const marked = eagerCompileHints(source);
  assertEquals(
    marked,
    "var a=(function () {var b=(function () { return 1; });  return b() + c(); });" +
      "var c=(function () { return 2; });\n\nexport const v = a();\n",
  );
  const file = await Deno.makeTempFile({ suffix: ".js" });
  try {
    await Deno.writeTextFile(file, marked);
    assertEquals((await import(`file://${file}`)).v, 3);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("eager compile hints: input that does not parse is refused", () => {
  assertThrows(() => eagerCompileHints("function ("), SyntaxError);
  // Nothing to mark: returned unchanged.
  assertEquals(eagerCompileHints("export const a = 1;\n"), "export const a = 1;\n");
});
