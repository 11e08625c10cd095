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
