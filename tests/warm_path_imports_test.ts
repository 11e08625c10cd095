// A warm `vc path` must not bring up Deno's Node compatibility layer (about
// 5 ms per `node:` module) nor parse the store code: walk the static imports
// from cli.ts through the `path` command's module and check what they reach.
import { assertEquals } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);
// `import ... from "x"` / `export ... from "x"` at the start of a line, not `import type`.
const STATIC = /^(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;

function staticGraph(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = entries.map((e) => new URL(e, ROOT).href);
  while (todo.length > 0) {
    const url = todo.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    if (!url.startsWith("file:")) continue;
    // Without comments: JSDoc examples import node:assert.
    const text = Deno.readTextFileSync(new URL(url)).replace(/\/\*[\s\S]*?\*\//g, "");
    for (const m of text.matchAll(STATIC)) {
      const spec = m[1]!;
      if (spec.endsWith(".json")) continue;
      todo.push(spec.startsWith(".") ? new URL(spec, url).href : spec);
    }
  }
  return seen;
}

Deno.test("warm vc path: no node: module and no store module among the static imports", () => {
  const graph = staticGraph(["cli.ts", "src/cli/main.ts", "src/cli/versioned_commands.ts"]);
  const rel = [...graph].map((u) => u.startsWith(ROOT.href) ? u.slice(ROOT.href.length) : u);
  assertEquals(rel.filter((u) => u.startsWith("node:") || u.startsWith("npm:")), []);
  assertEquals(
    rel.filter((u) =>
      /^src\/store\/(fs|s3\.ts|s3_(fetch|request|xml)|sigv4|download|open)/.test(u)
    ),
    [],
  );
  // The control: the walk does follow imports.
  assertEquals(rel.includes("src/cache/asset_cache.ts"), true);
});
