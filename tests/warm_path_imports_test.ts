// A warm `vc path` must not bring up Deno's Node compatibility layer (about
// 5 ms per `node:` module) nor parse the store code: walk the static imports
// from cli.ts through the `path` command's module and check what they reach.
import { assertEquals } from "./assert.ts";
import { sourceImportGraph as staticGraph } from "./module_graph.ts";

const ROOT = new URL("../", import.meta.url);

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

Deno.test("warm vc path: no npm package among the modules deno run preloads (literal dynamic imports included)", () => {
  // The command module is loaded by a computed specifier; its own graph,
  // literal dynamic imports included, is what deno run reads for `vc path`.
  const graph = staticGraph(["cli.ts", "src/cli/versioned_commands.ts"], true);
  const rel = [...graph].map((u) => u.startsWith(ROOT.href) ? u.slice(ROOT.href.length) : u);
  // npm: or bare (import map) specifiers; node: ones load only when run (path.ts on Windows).
  assertEquals([...graph].filter((u) => !u.startsWith("file:") && !u.startsWith("node:")), []);
  // The control: the dynamic walk reaches the store code (loaded lazily).
  assertEquals(rel.includes("src/store/s3.ts"), true);
});

// A module with a top-level `await` makes every module importing it, directly
// or not, initialise asynchronously: in the release bundle (where the lean
// entry is imported lazily) that was a chain of some hundred awaits before a
// warm `vc path` could start. esbuild marks such lazily imported modules
// `async "<file>"() {...}`.
async function asyncModules(dir: string | URL, entry: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "deno", entry],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const text = new TextDecoder().decode(stdout);
  return [...text.matchAll(/\basync "([^"]+)"\(\)/g)].map((m) => m[1]!);
}

Deno.test("warm vc path: no top-level await in the lean entry's modules", async () => {
  assertEquals(await asyncModules(ROOT, "cli.ts"), []);
  // The control: a lazily imported module with a top-level await is found.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.ts`, 'export const go = () => import("./b.ts");\n');
    await Deno.writeTextFile(`${dir}/b.ts`, "export const b = await Promise.resolve(1);\n");
    assertEquals(await asyncModules(dir, "a.ts"), ["b.ts"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// A regular expression with a Unicode property class (`\p{Cc}`) costs a
// fresh process ~0.2–0.5 ms of CPU to build (V8 builds its character sets
// when the object is made, not when the source is parsed): one made at a
// module's top level is paid by every warm `vc path`, which needs none.
const PROPERTY_CLASS_AT_TOP_LEVEL =
  /^(?:export )?(?:const|let|var) [A-Za-z_$][\w$]*(?::[^=\n]+)? =\s*(?:\/|new RegExp\()[^\n]*\\p\{/gm;

function propertyClassesAtTopLevel(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "");
  return [...code.matchAll(PROPERTY_CLASS_AT_TOP_LEVEL)].map((m) => m[0].split("=")[0]!.trim());
}

Deno.test("warm vc path: no Unicode property class built at the top level of the lean entry's modules", () => {
  const graph = staticGraph(["scripts/release/vc.ts"]);
  const found = [...graph]
    .filter((u) => u.startsWith(ROOT.href))
    .flatMap((u) =>
      propertyClassesAtTopLevel(Deno.readTextFileSync(new URL(u))).map((name) =>
        `${u.slice(ROOT.href.length)}: ${name}`
      )
    );
  assertEquals(found, []);
  // The controls: the walk reaches the hot path, and both spellings are found.
  assertEquals(graph.has(new URL("src/printable.ts", ROOT).href), true);
  assertEquals(
    propertyClassesAtTopLevel(
      'const A =\n  /[\\p{Cc}]/u;\nexport const B: RegExp = new RegExp("\\\\p{L}", "u");\n' +
        "const lazy = () => /\\p{Cc}/u;\n",
    ),
    ["const A", "export const B: RegExp"],
  );
});
