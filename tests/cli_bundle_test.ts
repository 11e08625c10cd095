// The release build's first step (scripts/compile.ts: `deno bundle` of
// cli.ts) run here, so CI proves the bundled entry works without `deno
// compile` (which downloads its runtime). The bundle is written into a temp
// dir beside links to the checkout's `src` and `deno.json`: there, as beside
// cli.ts in a release build, the computed imports of the full command line
// resolve.
import { parse } from "npm:acorn@^8.15.0";
import { bundle } from "../scripts/compile.ts";
import { assert, assertEquals } from "./assert.ts";
import { CLI, ROOT, run, warm, workspace } from "./hot_path_helpers.ts";

Deno.test("bundled cli.ts: vc path warm, cold and failing, and other commands, as cli.ts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_bundle_" });
  try {
    await Deno.symlink(`${ROOT}src`, `${dir}/src`);
    await Deno.symlink(`${ROOT}deno.json`, `${dir}/deno.json`); // main.ts imports it (the version)
    const out = `${dir}/cli.bundle.js`;
    await bundle(out, { cwd: ROOT });
    const text = await Deno.readTextFile(out);
    // The full command line is not in the bundle (its messages are not); the
    // lean entry is (shown below by a warm hit answered without src/).
    assert(!text.includes("missing subcommand"), "main.ts was bundled");
    assert(!text.includes("not cached (it would be at"), "the asset cache class was bundled");
    // Marked for eager compilation (scripts/eager_compile.ts): no top-level
    // function declaration is left, each is a parenthesized expression.
    assert(/var \w+=\(function/.test(text) && !/(^|[;}])function /.test(text), "no hints");
    // No top-level await: the command runs after the module has been
    // evaluated (cli.ts explains why).
    assertEquals(topLevelAwaits(text), []);
    // The bundle resolves the full CLI's npm imports through the project's import map.
    const config = ["--config", `${ROOT}deno.json`];

    await using ws = await workspace();
    await using ref = await workspace();
    const cases: string[][] = [
      ["path", "/some/asset.bin"], // cold: the full command line, imported by the bundle
      ["path", "/some/asset.bin", "--json"], // warm: the lean entry
      ["path", "/nope.bin"], // an error, from the full command line
      ["ls"],
      ["--version"],
    ];
    for (const args of cases) {
      const a = await run(ws, out, args, {}, config);
      const b = await run(ref, CLI, args);
      assertEquals(a, b, args.join(" "));
    }
    assertEquals((await run(ws, out, ["path", "/some/asset.bin"], {}, config)).code, 0);
    // A warm hit served by the bundle itself (no module of src/ loaded): the
    // same answer with the `src` link gone.
    await warm(ws, "/some/asset.bin", "1.1.0");
    await Deno.remove(`${dir}/src`);
    const lean = await run(ws, out, ["path", "/some/asset.bin", "1.1.0"], {}, config);
    assertEquals(lean.code, 0, lean.stderr);
    assertEquals(lean.stdout, (await run(ws, CLI, ["path", "/some/asset.bin", "1.1.0"])).stdout);
    // ... while a command the lean entry hands on now fails to load it: the control.
    assert((await run(ws, out, ["ls"], {}, config)).code !== 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// `await` outside any function of a module (the source of each).
function topLevelAwaits(source: string): string[] {
  type Node = { type: string; start: number; end: number; [key: string]: unknown };
  const found: string[] = [];
  const stack = [parse(source, { ecmaVersion: "latest", sourceType: "module" }) as unknown as Node];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (/Function/.test(node.type)) continue;
    const awaited = node.type === "AwaitExpression" ||
      (node.type === "ForOfStatement" && node.await === true);
    if (awaited) found.push(source.slice(node.start, Math.min(node.end, node.start + 60)));
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (typeof child === "object" && child !== null && typeof child.type === "string") {
          stack.push(child);
        }
      }
    }
  }
  return found;
}

Deno.test("topLevelAwaits finds an await outside functions only (the control)", () => {
  assertEquals(topLevelAwaits("await 1; async function f() { await 2; }"), ["await 1"]);
  assertEquals(topLevelAwaits("for await (const x of []) {}"), ["for await (const x of []) {}"]);
});
