// The release build's first step (scripts/compile.ts: the two bundles of
// scripts/release/) run here, so CI proves the bundled entries work without
// `deno compile` (which downloads its runtime). They are built into a temp
// dir one level below a link to the checkout's `src` (where the worker
// modules are found, as in a release build).
import { parse } from "npm:acorn@^8.15.0";
import { BUILD_DIR, buildRelease, releaseFiles } from "../scripts/compile.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CLI, ROOT, run, warm, type Workspace, workspace } from "./hot_path_helpers.ts";

Deno.test("release bundles: every command as cli.ts; the full command line needs no src/", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_bundle_" });
  try {
    await Deno.symlink(`${ROOT}src`, `${dir}/src`);
    const files = releaseFiles(`${dir}/${BUILD_DIR}`);
    await buildRelease(`${dir}/${BUILD_DIR}`, { cwd: ROOT });
    const out = files.entry;
    const text = await Deno.readTextFile(out);
    // The full command line is not in the lean entry (its messages are not);
    // the lean entry is (shown below by a warm hit answered without src/).
    assert(!text.includes("missing subcommand"), "main.ts was bundled into the lean entry");
    assert(!text.includes("not cached (it would be at"), "the asset cache class was bundled");
    // Marked for eager compilation (scripts/eager_compile.ts): no top-level
    // function declaration is left, each is a parenthesized expression.
    assert(/var \w+=\(function/.test(text) && !/(^|[;}])function /.test(text), "no hints");
    // No top-level await: the command runs after the module has been
    // evaluated (cli.ts explains why).
    assertEquals(topLevelAwaits(text), []);
    // The full command line is code-split: its entries and a chunk per lazy module.
    for (const entry of files.fullEntries) await Deno.stat(entry);
    const chunks = [...Deno.readDirSync(files.fullDir)].map((e) => e.name);
    assert(chunks.some((name) => name.startsWith("prefill_command-")), chunks.join(" "));
    // The bundle resolves the full CLI's npm imports through the project's import map.
    const config = ["--config", `${ROOT}deno.json`];

    await using ws = await workspace();
    await using ref = await workspace();
    const cases: string[][] = [
      ["path", "/some/asset.bin"], // cold: the full command line, from its bundle
      ["path", "/some/asset.bin", "--json"], // warm: the lean entry
      ["path", "/nope.bin"], // an error, from the full command line
      ["ls"],
      ["versions", "/some/asset.bin"], // a store listing
      ["config", "--json"], // settings.ts, a lazy module of its own
      ["--version"],
    ];
    for (const args of cases) {
      const a = await run(ws, out, args, {}, config);
      const b = await run(ref, CLI, args);
      assertEquals(a, b, args.join(" "));
    }
    assertEquals((await run(ws, out, ["path", "/some/asset.bin"], {}, config)).code, 0);
    // A warm hit served by the lean entry, and the full command line served
    // by its bundle, with no module of src/ left to load.
    await warm(ws, "/some/asset.bin", "1.1.0");
    await Deno.remove(`${dir}/src`);
    const lean = await run(ws, out, ["path", "/some/asset.bin", "1.1.0"], {}, config);
    assertEquals(lean.code, 0, lean.stderr);
    assertEquals(lean.stdout, (await run(ws, CLI, ["path", "/some/asset.bin", "1.1.0"])).stdout);
    // The one error the lean entry reports itself (a warm hit it cannot
    // print): named and traced as from source, not by minified names.
    if (Deno.build.os === "linux") {
      const args = ["path", "/some/asset.bin", "1.1.0", "--verbose"];
      const failed = await stdoutToDevFull(ws, out, args, config);
      assertStringIncludes(failed.error, "VcError: cannot write to standard output");
      assert(failed.frames.includes("hotPath"), failed.frames.join(" "));
      assertEquals(failed, await stdoutToDevFull(ws, CLI, args));
      // A failed write to stdout in the full command line (its own bundle,
      // with copies of the modules the lean entry inlines) is the same
      // expected error as from source, not an internal one.
      for (const command of [["ls"], ["--version"], ["config"]]) {
        const full = await stdoutToDevFull(ws, out, command, config);
        assertStringIncludes(full.error, "cannot write to standard output");
        assertEquals(full, await stdoutToDevFull(ws, CLI, command), command.join(" "));
      }
    }
    const prefill = await run(ws, out, ["prefill", "--json"], {}, config);
    assertEquals(prefill.code, 0, prefill.stderr);
    assertEquals(JSON.parse(prefill.stdout).failed, []);
    // The mirror's default state file loads settings.ts by a computed specifier.
    await Deno.mkdir(`${ws.dir}/tree/a`, { recursive: true });
    await Deno.writeTextFile(`${ws.dir}/tree/a/b.txt`, "mirrored\n");
    const mirrored = await run(ws, out, ["mirror", "tree", `file://${ws.dir}/copy`], {}, config);
    assertEquals(mirrored.code, 0, mirrored.stderr);
    assertEquals(await Deno.readTextFile(`${ws.dir}/copy/a/b.txt`), "mirrored\n");
    const ls = await run(ws, out, ["ls"], {}, config);
    assertEquals(ls, await run(ref, CLI, ["ls"]));
    // ... while without the full command line's bundle, a command the lean
    // entry hands on fails to load it: the control.
    await Deno.remove(files.fullDir, { recursive: true });
    assert((await run(ws, out, ["ls"], {}, config)).code !== 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * `vc ARGS` run as {@linkcode run} does, with stdout on /dev/full (every
 * write fails): its exit code, the error's line of the --verbose trace and
 * the functions of the trace's frames.
 */
async function stdoutToDevFull(
  ws: Workspace,
  entry: string,
  args: string[],
  denoArgs: string[] = [],
): Promise<{ code: number; error: string; frames: string[] }> {
  const vc = [Deno.execPath(), "run", ...PERMISSION_FLAGS, ...denoArgs, entry, ...args];
  const out = await new Deno.Command("sh", {
    args: ["-c", 'exec "$@" > /dev/full', "sh", ...vc],
    cwd: ws.dir,
    clearEnv: true,
    env: ws.env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stderr).split("\n");
  return {
    code: out.code,
    error: lines.find((l) => /^\w+: /.test(l) && !l.startsWith("vc: ")) ?? lines.join("\n"),
    frames: lines.flatMap((l) => /^\s+at (?:async )?(\S+) \(file:/.exec(l)?.[1] ?? []),
  };
}

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
