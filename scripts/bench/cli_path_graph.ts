/**
 * Where a warm `vc path` spends its start-up, measured rather than guessed:
 * programs that load what `vc path` loads, with less and less of its work,
 * for `cli_path.ts` to time beside it in the same run.
 *
 * - `synthetic`: as many modules as `vc path` evaluates, each the same size
 *   as its real counterpart (a comment) with a one-line body: what Deno
 *   itself costs for a graph of that shape.
 * - `modules`: the real modules `vc path` evaluates, imported and evaluated,
 *   no command run: loading the graph.
 * - `modules, one file`: the same modules bundled into one file (`deno
 *   bundle`, the modules reached only by dynamic imports left out, as they
 *   are at run time): loading the same code without Deno's per-module cost.
 * - `vc path, one file`: the `path` command itself (the same modules, the
 *   same warm hit), bundled into one file: the lower bound for a bundled
 *   lean entry.
 *
 * The bundles need `deno bundle` (esbuild, fetched from npm once); where it
 * does not work they are left out, with a note.
 *
 * @module
 */
import { ROOT, timed } from "./lib.ts";

/** One program to time: `deno <args>`; `stdout` is what it must print, when checked. */
export interface StartupVariant {
  /** What it measures. */
  label: string;
  /** `deno` arguments. */
  args: string[];
  /** Expected standard output (trimmed), when it prints the path. */
  stdout?: string;
}

/** The variants and what they were built from. */
export interface StartupGraph {
  /** The programs, in order of increasing work. */
  variants: StartupVariant[];
  /** Modules a warm `vc path` evaluates (its static graph and the command's). */
  modules: number;
  /** Their source bytes. */
  bytes: number;
  /** Modules Deno reads but does not evaluate (targets of literal dynamic imports). */
  prefetched: number;
  /** Why a variant is missing, if one is. */
  notes: string[];
}

interface DenoInfo {
  roots: string[];
  modules: {
    specifier: string;
    size?: number;
    dependencies?: { specifier: string; isDynamic?: boolean; code?: { specifier: string } }[];
  }[];
  redirects: Record<string, string>;
}

// What `vc path` evaluates: cli.ts's static graph, then the command module
// and the flag parser that dispatch imports (by computed specifiers).
const ROOTS = ["cli.ts", "src/cli/versioned_commands.ts", "src/cli/args.ts"];

/**
 * Writes the variants' programs under `dir` and returns how to run them;
 * `flags` are `deno run`'s flags for vc (its permissions), `pathArgs` the
 * arguments after `vc` (`path /some/asset.bin`), `expected` what it prints.
 */
export async function startupGraph(
  dir: string,
  flags: readonly string[],
  pathArgs: readonly string[],
  expected: string,
): Promise<StartupGraph> {
  const info = await denoInfo(`${dir}/roots.ts`, ROOTS);
  const byUrl = new Map(info.modules.map((m) => [m.specifier, m]));
  const evaluated = reachable(info, false);
  const read = reachable(info, true);
  const files = [...evaluated].filter((s) => s.startsWith("file:") && !s.endsWith("/roots.ts"));
  const sizes = files.map((s) => byUrl.get(s)?.size ?? 0);
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const config = ["--config", `${ROOT}deno.json`];
  const run = (file: string): string[] => ["run", ...flags, ...config, file, ...pathArgs];
  const notes: string[] = [];

  // Same number of modules, same sizes, trivial bodies.
  await Deno.mkdir(`${dir}/synthetic`, { recursive: true });
  const imports: string[] = [];
  for (const [i, size] of sizes.entries()) {
    const body = `export const v${i} = ${i};\n`;
    await Deno.writeTextFile(
      `${dir}/synthetic/m${i}.ts`,
      `/*${"x".repeat(Math.max(0, size - body.length - 5))}*/\n${body}`,
    );
    imports.push(`import { v${i} } from "./m${i}.ts";`);
  }
  await Deno.writeTextFile(
    `${dir}/synthetic/main.ts`,
    `${imports.join("\n")}\nif (${sizes.map((_, i) => `v${i}`).join(" + ") || "0"} < 0) throw 0;\n`,
  );

  // The real modules, evaluated, no command run (cli.ts runs only as main).
  const importOnly = `${dir}/modules.ts`;
  await Deno.writeTextFile(importOnly, ROOTS.map((r) => `import "${ROOT}${r}";`).join("\n") + "\n");

  // The `path` command run directly: the same warm hit, without dispatch.
  const hot = `${dir}/path_only.ts`;
  await Deno.writeTextFile(
    hot,
    `import { path } from "${ROOT}src/cli/versioned_commands.ts";
import { parseCommandArgs } from "${ROOT}src/cli/args.ts";
import { Output } from "${ROOT}src/cli/output.ts";
import { denoIo } from "${ROOT}src/cli/io.ts";
const io = denoIo();
const { flags, positionals } = parseCommandArgs(Deno.args.slice(1), {
  command: "path",
  options: path.options,
  positionals: path.positionals,
  required: path.required,
});
await path.run({ io, flags, args: positionals, out: new Output(io) });
`,
  );

  const variants: StartupVariant[] = [
    {
      label: `synthetic: ${files.length} trivial modules of the same sizes`,
      args: run(`${dir}/synthetic/main.ts`),
    },
    { label: `vc path's ${files.length} modules, evaluated, no command`, args: run(importOnly) },
  ];
  // Dynamic imports stay out of the bundles, as `deno run` does not evaluate
  // them on a warm hit (it only reads them): esbuild's `--external` patterns,
  // from the specifiers as written (`./maintenance.ts` -> `*/maintenance.ts`),
  // unless one would also match a module the warm hit evaluates.
  const external = new Set<string>();
  for (const specifier of evaluated) {
    for (const dep of byUrl.get(specifier)?.dependencies ?? []) {
      const target = dep.code?.specifier;
      if (dep.isDynamic !== true || target === undefined || evaluated.has(target)) continue;
      if (!target.startsWith("file:")) continue;
      const tail = dep.specifier.replace(/^(\.\.?\/)+/, "/");
      if (files.some((f) => f.endsWith(tail))) {
        notes.push(`${dep.specifier} is bundled: its pattern would match an evaluated module`);
      } else {
        external.add(`*${tail}`);
      }
    }
  }
  const externalFlags = [...external].flatMap((e) => ["--external", e]);
  for (
    const [label, entry, out, stdout] of [
      [
        "the same modules in one file (deno bundle)",
        importOnly,
        `${dir}/modules.bundle.js`,
        undefined,
      ],
      [
        "vc path in one file (deno bundle of the path command)",
        hot,
        `${dir}/path_only.bundle.js`,
        expected,
      ],
    ] as const
  ) {
    const r = await timed(
      Deno.execPath(),
      ["bundle", "--quiet", "--platform", "deno", ...externalFlags, "-o", out, entry],
      { check: false, cwd: ROOT, timeoutMs: 120_000 },
    );
    if (r.code !== 0) {
      notes.push(`deno bundle failed (${r.stderr.trim().split("\n").at(-1)}): "${label}" left out`);
      continue;
    }
    variants.push({ label, args: run(out), ...(stdout === undefined ? {} : { stdout }) });
  }
  variants.push({
    label: "vc path's modules, path command run directly",
    args: run(hot),
    stdout: expected,
  });
  return {
    variants,
    modules: files.length,
    bytes,
    prefetched: [...read].filter((s) => !evaluated.has(s) && s.startsWith("file:")).length,
    notes,
  };
}

async function denoInfo(entry: string, roots: readonly string[]): Promise<DenoInfo> {
  await Deno.writeTextFile(entry, roots.map((r) => `import "${ROOT}${r}";`).join("\n") + "\n");
  const r = await timed(Deno.execPath(), ["info", "--json", entry], { cwd: ROOT });
  return JSON.parse(r.stdout) as DenoInfo;
}

/** Modules reached from the roots: through static imports, or through any import. */
function reachable(info: DenoInfo, dynamicToo: boolean): Set<string> {
  const byUrl = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [...info.roots];
  // Bounded: each specifier is expanded once.
  while (stack.length > 0) {
    const raw = stack.pop()!;
    const specifier = info.redirects[raw] ?? raw;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of byUrl.get(specifier)?.dependencies ?? []) {
      if (dep.code !== undefined && (dynamicToo || dep.isDynamic !== true)) {
        stack.push(dep.code.specifier);
      }
    }
  }
  return seen;
}
