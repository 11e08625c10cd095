import { fileURLToPath } from "node:url";
import {
  BUILD_DIR,
  bundleCommand,
  COMPILE_FAILED_HINT,
  compileCommands,
  fullBundleCommand,
  NPM_IMPORTS,
  outputFile,
  RELEASE_V8_FLAGS,
  releaseBinaries,
  releaseFiles,
  sha256Sums,
  shellQuote,
  TARGETS,
} from "../scripts/compile.ts";
import { ENV_VARS, PERMISSION_FLAGS, SYS_APIS } from "../scripts/permissions.ts";
import { COMMAND_MODULES, COMMANDS } from "../src/cli/command_table.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";

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
      "src/mirror/watch_worker.ts",
      "--include",
      `${BUILD_DIR}/full/main.js`,
      "--include",
      `${BUILD_DIR}/full/atomic_write.js`,
      "--target",
      target,
      "--output",
      outputFile("dist", target),
      `${BUILD_DIR}/vc.js`,
    ]);
  }
  assertEquals(outputFile("dist", "x86_64-pc-windows-msvc"), "dist/vc-x86_64-pc-windows-msvc.exe");
  assertThrows(() => compileCommands({ targets: ["sparc-sun-solaris"] }), RangeError, "sparc");
});

Deno.test("compile: a target named twice is built once", () => {
  const linux = "x86_64-unknown-linux-gnu";
  const windows = "x86_64-pc-windows-msvc";
  const commands = compileCommands({ targets: [linux, windows, linux] });
  assertEquals(
    commands.map((args) => args[args.indexOf("--output") + 1]),
    [outputFile("dist", linux), outputFile("dist", windows)],
  );
});

Deno.test("compile: permissions are least privilege", () => {
  assert(!PERMISSION_FLAGS.some((f) => ["-A", "--allow-all"].includes(f)));
  assert(!PERMISSION_FLAGS.some((f) => /^--allow-(run|ffi|import)/.test(f)));
  // env is a scoped list, never the bare flag. sys is bare: node:https (the
  // AWS SDK's requests) needs sys access to "ca", which no list can name
  // (tests/binary_https_sdk_test.ts); vc's own code uses only SYS_APIS.
  assert(PERMISSION_FLAGS.includes(`--allow-env=${ENV_VARS.join(",")}`));
  assert(!PERMISSION_FLAGS.includes("--allow-env"));
  assert(PERMISSION_FLAGS.includes("--allow-sys"));
  assert(!PERMISSION_FLAGS.some((f) => f.startsWith("--allow-sys=")));
  assert(SYS_APIS.includes("hostname"));
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
    assertEquals(lines.length, 2 + TARGETS.length);
    // The two bundles first, then one compile of them per target.
    const files = releaseFiles(BUILD_DIR);
    assertEquals(lines[0], ["deno", ...bundleCommand(files.entry)].map(shellQuote).join(" "));
    assertEquals(lines[1], ["deno", ...fullBundleCommand(files.fullDir)].map(shellQuote).join(" "));
    for (const [i, line] of lines.slice(2).entries()) {
      assertEquals(line, ["deno", ...compileCommands({ outDir })[i]!].map(shellQuote).join(" "));
    }
    assertStringIncludes(lines[2]!, "'--allow-env=VC_*,AWS_*,");
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
    `deno install -g -f --name vc --config deno.json ${flags} cli.ts && ` +
      "deno run --allow-read --allow-write --allow-env=DENO_INSTALL_ROOT,HOME,USERPROFILE " +
      "--allow-run=deno scripts/install_lock.ts vc",
  );
  assertStringIncludes(config.tasks.compile, "scripts/compile.ts");
  assertEquals(
    config.tasks.demo,
    `VC_CHECKOUT="$(pwd)" && cd "$INIT_CWD" && deno run ${flags} "$VC_CHECKOUT/scripts/demo.ts"`,
  );
  // Any other task that runs vc's code with vc's permissions takes all of them,
  // so that a change to scripts/permissions.ts cannot leave one behind.
  for (const [name, task] of Object.entries(config.tasks as Record<string, string>)) {
    if (!task.includes("--allow-env=VC_")) continue;
    assertStringIncludes(task, flags, `task ${name}`);
  }
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

Deno.test("compile: SHA256SUMS covers every target's binary in the directory, not only this run's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // An earlier build of two targets, a file that is not a release binary,
    // and a directory named like a target's binary.
    await Deno.writeTextFile(outputFile(dir, "x86_64-pc-windows-msvc"), "win");
    await Deno.writeTextFile(outputFile(dir, "aarch64-apple-darwin"), "mac");
    await Deno.writeTextFile(`${dir}/vc-notes.txt`, "");
    await Deno.mkdir(outputFile(dir, "x86_64-apple-darwin"));
    const listed = await releaseBinaries(dir);
    assertEquals(
      listed.sort(),
      [
        outputFile(dir, "aarch64-apple-darwin"),
        outputFile(dir, "x86_64-pc-windows-msvc"),
      ].sort(),
    );
    assertEquals((await sha256Sums(listed)).split("\n").filter(Boolean).length, 2);
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
  // Every worker module of src/ (any directory) is listed, and every
  // `new Worker(...)` starts from the URL the release bundle registers.
  const found = new Set<string>();
  let workers = 0;
  for (const path of await sources("src")) {
    const text = await Deno.readTextFile(new URL(`../${path}`, import.meta.url));
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const dir = path.slice(0, path.lastIndexOf("/") + 1);
    for (
      const m of code.matchAll(/new URL\(\s*"\.\/(\w+_worker\.ts)",\s*import\.meta\.url\s*\)/g)
    ) {
      if (!WORKER_MODULES.includes(`${dir}${m[1]}`)) throw new Error(`${dir}${m[1]} missing`);
      found.add(`${dir}${m[1]}`);
    }
    for (const m of code.matchAll(/new Worker\(\s*(\w+)/g)) {
      workers++;
      assert(
        new RegExp(`\\b${m[1]} = bundledWorkerUrl\\(`).test(code),
        `${path}: a Worker not started from bundledWorkerUrl(...)`,
      );
    }
  }
  // The scan found what it checks: every listed module is started somewhere
  // (a pattern that matched nothing would pass the loops above vacuously).
  assertEquals([...found].sort(), [...WORKER_MODULES].sort());
  assert(workers >= found.size, `${workers} new Worker(...) for ${found.size} modules`);
});

Deno.test("the command table loads only listed modules, each through the bundle registry", async () => {
  // The table imports through load("./x.ts") only, each listed, and no literal import().
  const text = await Deno.readTextFile(new URL("../src/cli/command_table.ts", import.meta.url));
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "");
  assertEquals([...code.matchAll(/(?<!typeof )\bimport\("/g)].length, 0);
  const used = new Set([...code.matchAll(/>\("(\.\/\w+\.ts)"\)/g)].map((m) => m[1]!));
  assertEquals([...used].sort(), [...COMMAND_MODULES].sort());
  // And every command loads (the computed specifiers resolve).
  for (const entry of COMMANDS) assertEquals((await entry.load()).name, entry.name);
});

/** Every `.ts` file under `dir` (a path from the project root), recursively. */
async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(`../${dir}`, import.meta.url))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sources(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

Deno.test("release: every module imported by a computed specifier is registered by the release entries", async () => {
  // Names the source looks up in the registry (src/bundled_modules.ts).
  const looked = new Set<string>();
  const workers = new Set<string>();
  for (const path of ["cli.ts", ...await sources("src")]) {
    const text = await Deno.readTextFile(new URL(`../${path}`, import.meta.url));
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (const m of code.matchAll(/importBundled(?:<[\s\S]*?>)?\(\s*"(src\/[^"]+)"/g)) {
      looked.add(m[1]!);
    }
    for (const m of code.matchAll(/bundledWorkerUrl\(\s*"([^"]+)"/g)) workers.add(m[1]!);
    // Each computed import() sits in the registry lookup's fallback (a
    // lookup's name within the lines above it), but the turn of the event
    // loop's empty data: module.
    const lines = code.split("\n");
    for (const [i, line] of lines.entries()) {
      if (
        !/(?<!typeof )\bimport\(\s*[A-Za-z_`]/.test(line) || /import\(EMPTY_MODULE\)/.test(line)
      ) {
        continue;
      }
      const before = lines.slice(Math.max(0, i - 3), i + 1).join("\n");
      assert(
        /importBundled/.test(before),
        `${path}:${i + 1}: a computed import() outside importBundled`,
      );
    }
  }
  for (const module of COMMAND_MODULES) looked.add(`src/cli/${module.slice(2)}`);
  // Names the release entries register.
  const registered = new Set<string>();
  const registeredWorkers = new Set<string>();
  for (const entry of ["scripts/release/vc.ts", "scripts/release/main.ts"]) {
    const text = await Deno.readTextFile(new URL(`../${entry}`, import.meta.url));
    for (const m of text.matchAll(/^\s*"(src\/[\w/]+\.ts)": \(\) => import\(/gm)) {
      registered.add(m[1]!);
    }
    for (const m of text.matchAll(/^\s*"(src\/[\w/]+\.ts)": new URL\(/gm)) {
      registeredWorkers.add(m[1]!);
    }
  }
  assertEquals([...registered].sort(), [...looked].sort());
  assertEquals([...registeredWorkers].sort(), [...workers].sort());
  for (const name of [...looked, ...workers]) {
    await Deno.stat(new URL(`../${name}`, import.meta.url));
  }
  const { WORKER_MODULES } = await import("../scripts/compile.ts");
  assertEquals([...WORKER_MODULES].sort(), [...workers].sort());
});

Deno.test("release: the full bundle leaves out exactly the project's npm imports", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const npm = Object.entries(config.imports as Record<string, string>)
    .filter(([, target]) => target.startsWith("npm:"))
    .map(([name]) => name);
  assertEquals([...NPM_IMPORTS].sort(), npm.sort());
  const args = fullBundleCommand("out");
  for (const name of npm) assertEquals(args[args.indexOf(name) - 1], "--external");
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

Deno.test("compile: an --out-dir the task may not write fails at once, saying what to run", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      // The deno.json task's own permissions.
      args: [
        "run",
        "--allow-read",
        `--allow-write=dist,${BUILD_DIR}`,
        "--allow-run=deno",
        "scripts/compile.ts",
        "--out-dir",
        outDir,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(stderr);
    assertEquals(code, 2, err);
    assertEquals(err.trimEnd().split("\n"), [
      `compile: --out-dir ${outDir}: not writable with the task's permissions (only dist); run ` +
      `deno run --allow-read --allow-write=${outDir},${BUILD_DIR} --allow-run=deno ` +
      `scripts/compile.ts --out-dir ${outDir}`,
    ]);
    // Nothing was built: no bundle directory left behind.
    await assertRejects(() => Deno.stat(`${ROOT}/${BUILD_DIR}`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test({
  name:
    "compile: a failed deno compile (the runtime download) says that deno task install needs none",
  ignore: Deno.build.os === "windows", // the stand-in deno is a shell script
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_compile_offline_" }));
    try {
      // What `deno compile` does without network: the bundles build, the
      // download of the target's runtime fails.
      const bin = `${dir}/bin`;
      await Deno.mkdir(bin);
      await Deno.writeTextFile(
        `${bin}/deno`,
        `#!/bin/sh\nif [ "$1" = compile ]; then\n` +
          `  echo "error: dns error: failed to lookup address information" >&2; exit 1\nfi\n` +
          `exec "${Deno.execPath()}" "$@"\n`,
        { mode: 0o755 },
      );
      // A checkout of its own, so the build's dist/ and bundle dir are this test's.
      const work = `${dir}/checkout`;
      await Deno.mkdir(work);
      for (const name of ["scripts", "src", "cli.ts", "mod.ts", "deno.json", "deno.lock"]) {
        await Deno.symlink(`${ROOT}/${name}`, `${work}/${name}`);
      }
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        // The deno.json task's own permissions; the PATH's deno is the stand-in.
        args: [
          "run",
          "--allow-read",
          `--allow-write=dist,${BUILD_DIR}`,
          "--allow-run=deno",
          "scripts/compile.ts",
          "--target",
          "x86_64-unknown-linux-gnu",
        ],
        cwd: work,
        env: { PATH: `${bin}:${Deno.env.get("PATH") ?? ""}`, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(stderr);
      assertEquals(code, 1, err);
      assertEquals(err.trimEnd().split("\n").slice(-3), [
        "error: dns error: failed to lookup address information",
        "compile failed (exit 1)",
        COMPILE_FAILED_HINT,
      ]);
      assertStringIncludes(COMPILE_FAILED_HINT, "`deno task install`");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
