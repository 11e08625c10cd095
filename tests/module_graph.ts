/**
 * The module graph as Deno sees it (`deno info --json`), and what of it loads
 * before any dynamic import runs: the tests that keep start-up lean (no
 * command module, no AWS SDK, no S3 code) all ask this one question.
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What `deno info --json` prints, as far as the tests read it. */
export interface DenoInfo {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { isDynamic?: boolean; code?: { specifier: string } }[];
  }[];
  redirects: Record<string, string>;
}

/** The graph of `root` (a path relative to the project, or a URL). */
export async function moduleGraph(root: string): Promise<DenoInfo> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`deno info ${root}: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout)) as DenoInfo;
}

/** Specifiers reachable from `roots` through static (non-type-only) imports. */
export function staticallyReachable(graph: DenoInfo, roots: readonly string[]): Set<string> {
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [...roots];
  // Bounded: each specifier is expanded once.
  while (stack.length > 0) {
    const raw = stack.pop()!;
    const specifier = graph.redirects[raw] ?? raw;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dep.code !== undefined && dep.isDynamic !== true) stack.push(dep.code.specifier);
    }
  }
  return seen;
}

/** Modules that load before any dynamic import when `root` runs. */
export async function staticGraph(root: string): Promise<string[]> {
  const graph = await moduleGraph(root);
  return [...staticallyReachable(graph, graph.roots)];
}

// `import ... from "x"` / `export ... from "x"` at the start of a line, not `import type`.
const STATIC = /^(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;
// `import("x")` with a literal: `deno run` reads (and resolves npm packages
// of) these at start-up too, before any of them runs. Not `typeof import("x")`.
const DYNAMIC = /(?<!typeof )\bimport\(\s*["']([^"']+)["']\s*\)/g;

/**
 * The modules `entries` (paths relative to the project) reach, read from
 * their source: static imports, and with `dynamic` the literal `import("…")`s
 * too, which `deno run` reads (resolving their npm packages) when the module
 * holding them loads. Type-only imports and computed specifiers are not
 * followed, as Deno does not follow them at run time (`deno info` does).
 * Non-`file:` specifiers are kept as written (`npm:…`, `node:…`, or a bare
 * name of the import map).
 */
export function sourceImportGraph(entries: string[], dynamic = false): Set<string> {
  const root = new URL("../", import.meta.url);
  const seen = new Set<string>();
  const todo = entries.map((e) => new URL(e, root).href);
  // Bounded: each module is read once.
  while (todo.length > 0) {
    const url = todo.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    if (!url.startsWith("file:")) continue;
    // Without comments: JSDoc examples import node:assert.
    const text = Deno.readTextFileSync(new URL(url)).replace(/\/\*[\s\S]*?\*\//g, "");
    const found = [...text.matchAll(STATIC), ...(dynamic ? text.matchAll(DYNAMIC) : [])];
    for (const m of found) {
      const spec = m[1]!;
      if (spec.endsWith(".json")) continue;
      todo.push(spec.startsWith(".") ? new URL(spec, url).href : spec);
    }
  }
  return seen;
}
