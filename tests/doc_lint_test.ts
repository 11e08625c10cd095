import { assert, assertEquals } from "./assert.ts";

const root = new URL("..", import.meta.url).pathname;

/** The entry points of deno.json "exports": what JSR documents. */
async function entryPoints(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  return Object.values(config.exports as Record<string, string>);
}

async function denoDoc(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["doc", ...args],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: run.code, out: text.decode(run.stdout), err: text.decode(run.stderr) };
}

Deno.test("doc lint: deno doc --lint passes on every export of deno.json", async () => {
  // JSR scores documentation with this lint: a public type that references
  // a type no entry point exports (e.g. `CacheGetOptions.integrity`) is
  // undocumented for users, who also cannot name the type in their code.
  const run = await denoDoc(["--lint", ...(await entryPoints())]);
  assertEquals(run.code, 0, run.out + run.err);
});

Deno.test("doc lint: the main entry alone names every type its API references", async () => {
  // Most users import only `jsr:@vc/vc`; a type its API takes that only a
  // subpath exports (`StoreOptions["file"]` was `FsStoreOptions`, from
  // `./store`, whose import loads the AWS SDK) is one they cannot write down
  // from it. The subpaths may lean on the main entry's types, as in @std.
  const run = await denoDoc(["--lint", "mod.ts"]);
  assertEquals(run.code, 0, run.out + run.err);
});

// The parts of `deno doc --json` (version 2) this check reads.
interface JsDoc {
  tags?: { kind: string; doc?: string }[];
}
interface Member {
  name: string;
  kind?: string;
  isStatic?: boolean;
  accessibility?: string;
  jsDoc?: JsDoc;
}
interface Declaration {
  kind: string;
  jsDoc?: JsDoc;
  location: { filename: string; line: number };
  def?: { methods?: Member[] };
}

/** Why `doc` does not show a use, or undefined when it has an example that asserts. */
function lacks(doc: JsDoc | undefined): string | undefined {
  const examples = (doc?.tags ?? []).filter((t) => t.kind === "example");
  if (examples.length === 0) return "no @example";
  // `deno test --doc` runs them; one that asserts nothing cannot fail.
  if (!examples.some((t) => /\bassert\b/.test(t.doc ?? ""))) return "no example asserts";
  return undefined;
}

/**
 * Each exported function and class, each public method and accessor of an
 * exported class, and each method of an exported interface, reachable from
 * `entries`, whose documentation has no `@example` that asserts: as
 * `Name` or `Name.member` mapped to the reason.
 */
async function undemonstrated(entries: string[]): Promise<Map<string, string>> {
  const run = await denoDoc(["--json", ...entries]);
  assertEquals(run.code, 0, run.err);
  const nodes = JSON.parse(run.out).nodes as Record<
    string,
    { symbols: { name: string; declarations: Declaration[] }[] }
  >;
  const found = new Map<string, string>();
  const seen = new Set<string>();
  for (const { symbols } of Object.values(nodes)) {
    for (const symbol of symbols) {
      // Re-exports point at a declaration another entry point lists in full.
      const decls = symbol.declarations.filter((d) => d.kind !== "reference");
      const first = decls[0];
      if (first === undefined) continue;
      const where = `${first.location.filename}:${first.location.line}`;
      if (seen.has(where)) continue;
      seen.add(where);
      if (first.kind === "function") {
        // Overloads: one documented signature is enough.
        const why = decls.map((d) => lacks(d.jsDoc));
        if (why.every((w) => w !== undefined)) found.set(symbol.name, why[0]!);
      } else if (first.kind === "class" || first.kind === "interface") {
        if (first.kind === "class") {
          const why = lacks(first.jsDoc);
          if (why !== undefined) found.set(symbol.name, why);
        }
        // A getter and its setter, or overloads, share one name.
        const members = new Map<string, Member[]>();
        for (const m of first.def?.methods ?? []) {
          if (m.accessibility === "private" || m.accessibility === "protected") continue;
          const name = `${symbol.name}.${m.isStatic ? "static " : ""}${m.name}`;
          members.set(name, [...(members.get(name) ?? []), m]);
        }
        for (const [name, ms] of members) {
          // `await using` calls [Symbol.asyncDispose], which is the class's
          // close(): close's example shows it.
          const shownBy = ms[0]!.name === "[Symbol.asyncDispose]"
            ? members.get(`${symbol.name}.close`)
            : undefined;
          const why = (shownBy ?? ms).map((m) => lacks(m.jsDoc));
          if (why.every((w) => w !== undefined)) found.set(name, why[0]!);
        }
      }
    }
  }
  return found;
}

Deno.test("doc examples: every entry point's module doc has an @example that asserts", async () => {
  // What JSR shows first for `jsr:@vc/vc/mirror` and the other subpaths is
  // the module doc: a newcomer's starting point. `./mirror` had none, and the
  // code of `./server` and `./cli` was no @example, which `deno test --doc`
  // and JSR's "Examples" do not treat as one.
  const run = await denoDoc(["--json", ...(await entryPoints())]);
  assertEquals(run.code, 0, run.err);
  const nodes = JSON.parse(run.out).nodes as Record<string, { module_doc?: JsDoc }>;
  const missing = Object.entries(nodes).flatMap(([file, node]) => {
    const why = lacks(node.module_doc);
    return why === undefined ? [] : [`${file.slice(`file://${root}`.length)}: ${why}`];
  });
  assertEquals(missing, [], "entry points whose module doc shows no use");
});

Deno.test("doc lint: no public type is written as an inline import()", async () => {
  // JSR and `deno doc` show such a type as its relative path
  // (`cache?: import("../cache/asset_cache.ts").AssetCache`, what
  // `RepositoryOptions.cache` read as), not as a link to the type a user
  // imports from an entry point.
  const run = await denoDoc(await entryPoints());
  assertEquals(run.code, 0, run.err);
  const lines = run.out.split("\n").filter((l) => /\bimport\("\.{1,2}\//.test(l));
  assertEquals(lines.map((l) => l.trim()), []);
});

/**
 * Public symbols still without an example of their own: this list only
 * shrinks. Add an example (small, self-contained, asserting with
 * `node:assert/strict`, cleaning up in `finally`) and remove the name here;
 * a new public symbol gets its example when it is added.
 */
// Empty: ContentCollectedError and CatalogBusyError, raised only by a race,
// now show what they are as the other error classes do, by making one.
const NOT_YET_DEMONSTRATED: readonly string[] = [];

Deno.test("doc examples: every public function, class and method has an @example that asserts", async () => {
  const found = await undemonstrated(await entryPoints());
  const missing = [...found].filter(([name]) => !NOT_YET_DEMONSTRATED.includes(name))
    .map(([name, why]) => `${name}: ${why}`);
  assertEquals(missing, [], "public symbols without an example that asserts");
  const stale = NOT_YET_DEMONSTRATED.filter((name) => !found.has(name));
  assertEquals(stale, [], "NOT_YET_DEMONSTRATED names symbols that now have one: remove them");
});

Deno.test("doc examples: the check finds a method without an example and one that asserts nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/mod.ts`;
    await Deno.writeTextFile(
      file,
      [
        "/**",
        " * A counter.",
        " *",
        " * @example",
        " * ```ts",
        ' * import assert from "node:assert/strict";',
        " * assert(new Counter().next() === 1);",
        " * ```",
        " */",
        "export class Counter {",
        "  #n = 0;",
        "  /**",
        "   * The next number.",
        "   *",
        "   * @example",
        "   * ```ts",
        "   * new Counter().next();",
        "   * ```",
        "   */",
        "  next(): number {",
        "    return ++this.#n;",
        "  }",
        "  /** Starts again. */",
        "  reset(): void {",
        "    this.#n = 0;",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    const found = await undemonstrated([file]);
    assertEquals([...found], [
      ["Counter.next", "no example asserts"],
      ["Counter.reset", "no @example"],
    ]);
    assert(!found.has("Counter"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
