import { fileURLToPath } from "node:url";
import {
  BUNDLE_FILE,
  bundleCommand,
  compileCommands,
  FULL_CLI_MODULES,
  outputFile,
  RELEASE_V8_FLAGS,
  sha256Sums,
  shellQuote,
  TARGETS,
} from "../scripts/compile.ts";
import { ENV_VARS, PERMISSION_FLAGS, SYS_APIS } from "../scripts/permissions.ts";
import { COMMAND_MODULES, COMMANDS } from "../src/cli/command_table.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("compile: one deno compile command per target with the shared permission flags", () => {
  const commands = compileCommands();
  assertEquals(commands.length, 5);
  assertEquals(TARGETS, [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  for (const [i, args] of commands.entries()) {
    const target = TARGETS[i]!;
    assertEquals(args, [
      "compile",
      ...PERMISSION_FLAGS,
      "--v8-flags=--no-enable-lazy-source-positions",
      "--include",
      "src/store/download_hash_worker.ts",
      "--include",
      "src/mirror/walk_worker.ts",
      "--include",
      "src/store/s3_sdk.ts",
      ...COMMAND_MODULES.flatMap((m) => ["--include", `src/cli/${m.slice(2)}`]),
      ...FULL_CLI_MODULES.flatMap((m) => ["--include", m]),
      "--target",
      target,
      "--output",
      outputFile("dist", target),
      "cli.bundle.js",
    ]);
  }
  assertEquals(outputFile("dist", "x86_64-pc-windows-msvc"), "dist/vc-x86_64-pc-windows-msvc.exe");
  assertThrows(() => compileCommands({ targets: ["sparc-sun-solaris"] }), RangeError, "sparc");
});

Deno.test("compile: permissions are least privilege", () => {
  assert(!PERMISSION_FLAGS.some((f) => ["-A", "--allow-all"].includes(f)));
  assert(!PERMISSION_FLAGS.some((f) => /^--allow-(run|ffi|import)/.test(f)));
  // env and sys are scoped lists, never the bare flag.
  assert(PERMISSION_FLAGS.includes(`--allow-env=${ENV_VARS.join(",")}`));
  assert(PERMISSION_FLAGS.includes(`--allow-sys=${SYS_APIS.join(",")}`));
  assert(!PERMISSION_FLAGS.includes("--allow-env") && !PERMISSION_FLAGS.includes("--allow-sys"));
  assertEquals(PERMISSION_FLAGS.at(-1), "--no-prompt");
});

Deno.test("compile: --dry-run prints the command lines and builds nothing", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        `--allow-write=${outDir}`,
        "--allow-run=deno",
        "scripts/compile.ts",
        "--dry-run",
        "--out-dir",
        outDir,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(code, 0);
    const lines = new TextDecoder().decode(stdout).trim().split("\n");
    assertEquals(lines.length, 1 + TARGETS.length);
    // The bundle first, then one compile of it per target.
    assertEquals(lines[0], ["deno", ...bundleCommand(BUNDLE_FILE)].map(shellQuote).join(" "));
    for (const [i, line] of lines.slice(1).entries()) {
      assertEquals(line, ["deno", ...compileCommands({ outDir })[i]!].map(shellQuote).join(" "));
    }
    assertStringIncludes(lines[1]!, "'--allow-env=VC_*,AWS_*,");
    assertEquals([...Deno.readDirSync(outDir)].length, 0, "dry run writes nothing");
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("compile: deno.json tasks use exactly the shared permission flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const flags = PERMISSION_FLAGS.map(shellQuote).join(" ");
  // Run from the caller's directory (INIT_CWD), with the checkout's cli.ts.
  assertEquals(
    config.tasks.vc,
    `VC_CHECKOUT="$(pwd)" && cd "$INIT_CWD" && deno run ${flags} "$VC_CHECKOUT/cli.ts"`,
  );
  assertEquals(
    config.tasks.prefill,
    `VC_CHECKOUT="$(pwd)" && cd "$INIT_CWD" && deno run ${flags} "$VC_CHECKOUT/cli.ts" prefill`,
  );
  // --config: the installed command keeps the import map (npm:@aws-sdk/client-s3).
  assertEquals(
    config.tasks.install,
    `deno install -g -f --name vc --config deno.json ${flags} cli.ts`,
  );
  assertStringIncludes(config.tasks.compile, "scripts/compile.ts");
});

Deno.test("compile: SHA256SUMS lines are sha256sum -c compatible", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/vc-b`, "abc");
    await Deno.writeTextFile(`${dir}/vc-a`, "");
    const sums = await sha256Sums([`${dir}/vc-b`, `${dir}/vc-a`]);
    assertEquals(
      sums,
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  vc-a\n" +
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  vc-b\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compile embeds every worker module, and each one exists", async () => {
  const { compileCommands, WORKER_MODULES } = await import("../scripts/compile.ts");
  const [args] = compileCommands({ targets: ["x86_64-unknown-linux-gnu"] });
  for (const module of WORKER_MODULES) {
    const at = args!.indexOf(module);
    if (at < 1 || args![at - 1] !== "--include") throw new Error(`${module} is not --include'd`);
    await Deno.stat(new URL(`../${module}`, import.meta.url));
  }
  // Every `new Worker(new URL("./x.ts", import.meta.url))` in src/ is listed.
  for await (const entry of Deno.readDir(new URL("../src/store/", import.meta.url))) {
    if (!entry.name.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(new URL(`../src/store/${entry.name}`, import.meta.url));
    for (const m of text.matchAll(/new URL\("\.\/(\w+_worker\.ts)", import\.meta\.url\)/g)) {
      if (!WORKER_MODULES.includes(`src/store/${m[1]}`)) {
        throw new Error(`src/store/${m[1]} missing`);
      }
    }
  }
});

Deno.test("compile embeds every command module; the table loads only listed modules", async () => {
  const [args] = compileCommands({ targets: ["x86_64-unknown-linux-gnu"] });
  for (const module of COMMAND_MODULES) {
    const path = `src/cli/${module.slice(2)}`;
    const at = args!.indexOf(path);
    if (at < 1 || args![at - 1] !== "--include") throw new Error(`${path} is not --include'd`);
    await Deno.stat(new URL(`../${path}`, import.meta.url));
  }
  // The table imports through load("./x.ts") only, each listed, and no literal import().
  const text = await Deno.readTextFile(new URL("../src/cli/command_table.ts", import.meta.url));
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "");
  assertEquals([...code.matchAll(/(?<!typeof )\bimport\("/g)].length, 0);
  const used = new Set([...code.matchAll(/>\("(\.\/\w+\.ts)"\)/g)].map((m) => m[1]!));
  assertEquals([...used].sort(), [...COMMAND_MODULES].sort());
  // And every command loads (the computed specifiers resolve).
  for (const entry of COMMANDS) assertEquals((await entry.load()).name, entry.name);
});

Deno.test("compile embeds every module cli.ts imports by a computed specifier", async () => {
  // cli.ts names them as `const X_MODULE = "./src/....ts"`; the bundle keeps
  // those imports, so the binary must carry the modules.
  const text = await Deno.readTextFile(new URL("../cli.ts", import.meta.url));
  const named = [...text.matchAll(/^const \w+_MODULE = "\.\/(src\/[\w/]+\.ts)";$/gm)].map((m) =>
    m[1]!
  );
  assertEquals(named.sort(), [...FULL_CLI_MODULES].sort());
  const [args] = compileCommands({ targets: ["x86_64-unknown-linux-gnu"] });
  for (const module of FULL_CLI_MODULES) {
    assertEquals(args![args!.indexOf(module) - 1], "--include");
    await Deno.stat(new URL(`../${module}`, import.meta.url));
  }
  // The only literal import() in cli.ts, which the bundle inlines, is the lean entry's.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  assertEquals([...code.matchAll(/(?<!typeof )\bimport\("([^"]*)"\)/g)].map((m) => m[1]), [
    "./src/cli/hot_path.ts",
  ]);
});

Deno.test("compile: this Deno's V8 knows the release V8 flags", async () => {
  assert(RELEASE_V8_FLAGS.length > 0);
  const run = (flags: string) =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", `--v8-flags=${flags}`, "console.log(1)"],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const ok = await run(RELEASE_V8_FLAGS.join(","));
  assertEquals(new TextDecoder().decode(ok.stderr), "");
  assertEquals([ok.code, new TextDecoder().decode(ok.stdout)], [0, "1\n"]);
  // The control: an unknown flag is reported.
  const bad = await run("--no-such-v8-flag-vc");
  assertStringIncludes(new TextDecoder().decode(bad.stderr), "no-such-v8-flag-vc");
});
