/**
 * `vc repo` on a SQLite catalog must not make Deno resolve the PostgreSQL
 * driver. A literal `import("postgres")` in the catalog code put
 * `npm:postgres` in the module graph every `vc repo` command loads, so
 * `deno task vc repo ls` on a SQLite catalog printed
 * `Download https://registry.npmjs.org/postgres` and asked the npm registry
 * for the package's description at every run (a DENO_DIR filled by
 * `deno task demo`, the README's first step), and tried to offline.
 */
import { assert, assertEquals } from "./assert.ts";
import { sourceImportGraph } from "./module_graph.ts";

const ROOT = new URL("../", import.meta.url).href;

Deno.test("vc repo: no npm package among the modules deno run preloads for its commands (the PostgreSQL driver loads only when used)", () => {
  // The command modules load by computed specifiers; what they reach, literal
  // dynamic imports included, is what deno run reads for `vc repo …`.
  const graph = sourceImportGraph(
    ["src/cli/repo_commands.ts", "src/cli/repo_admin_commands.ts"],
    true,
  );
  const rel = [...graph].map((u) => u.startsWith(ROOT) ? u.slice(ROOT.length) : u);
  // npm: or bare (import map) specifiers.
  assertEquals(rel.filter((u) => !u.startsWith("src/") && !u.startsWith("node:")), []);
  // The control: the walk reaches the PostgreSQL catalog code and the SQLite one.
  assert(rel.includes("src/repo/postgres_catalog.ts"), "reaches postgres_catalog.ts");
  assert(rel.includes("src/repo/sqlite_catalog.ts"), "reaches sqlite_catalog.ts");
});
