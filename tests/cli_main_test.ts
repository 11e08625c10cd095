import { fileURLToPath } from "node:url";
import { GLOBAL_OPTIONS } from "../src/cli/args.ts";
import { memoryIo } from "../src/cli/io.ts";
import { commandNames, loadCommand, runCli, VALUE_FLAGS, VERSION } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { staticGraph } from "./module_graph.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("main: --version and -V", async () => {
  for (const flag of ["--version", "-V"]) {
    const r = await vc(flag);
    assertEquals(r.code, 0);
    assertEquals(r.stdout, `vc ${VERSION}\n`);
  }
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  assertEquals(VERSION, config.version);
});

Deno.test("main: --help lists every command; bare vc is a usage error", async () => {
  const r = await vc("--help");
  assertEquals(r.code, 0);
  for (const name of commandNames()) assertStringIncludes(r.stdout, `  ${name} `);
  assertStringIncludes(r.stdout, "NO_COLOR");
  assertStringIncludes(r.stdout, "VC_BUCKET");
  const help = await vc("help");
  assertEquals(help.stdout, r.stdout);
  const bare = await vc();
  assertEquals(bare.code, 2);
  assertEquals(bare.stdout, "");
  assertStringIncludes(bare.stderr, "Usage: vc <command>");
});

Deno.test("main: every command has help with usage, flags and examples", async () => {
  for (const name of commandNames()) {
    const r = await vc(...name.split(" "), "--help");
    assertEquals(r.code, 0, name);
    assertStringIncludes(r.stdout, `Usage: vc ${name}`, name);
    assertStringIncludes(r.stdout, "Examples:\n  vc ", name);
    assertStringIncludes(r.stdout, "--json", name);
    const viaHelp = await vc("help", ...name.split(" "));
    assertEquals(viaHelp.stdout, r.stdout, `vc help ${name}`);
  }
  const cache = await vc("cache", "--help");
  assertEquals(cache.code, 0);
  assertStringIncludes(cache.stdout, "cache prune");
});

Deno.test("main: every value flag is known to dispatch, and no command redefines a global", async () => {
  const seen = new Set<string>();
  for (const [flag, spec] of Object.entries(GLOBAL_OPTIONS)) {
    if (spec.type === "string") {
      assert(VALUE_FLAGS.has(flag), `global --${flag} is missing from VALUE_FLAGS`);
      seen.add(flag);
    }
  }
  for (const name of commandNames()) {
    const command = await loadCommand(name);
    assert(command !== undefined && command.name === name, name);
    for (const [flag, spec] of Object.entries(command.options)) {
      assert(!(flag in GLOBAL_OPTIONS), `${name} redefines --${flag}`);
      if (spec.type === "string") {
        assert(VALUE_FLAGS.has(flag), `--${flag} of ${name} is missing from VALUE_FLAGS`);
        seen.add(flag);
      }
    }
    assertEquals(command.positionals.length >= command.required, true, name);
  }
  assertEquals([...VALUE_FLAGS].sort(), [...seen].sort(), "VALUE_FLAGS has no stale entries");
});

Deno.test("main: unknown commands and flags suggest the closest", async () => {
  const cmd = await vc("updte");
  assertFailure(cmd, 2, 'unknown command "updte"');
  assertStringIncludes(cmd.stderr, 'did you mean "update"?');
  const sub = await vc("cache", "purne");
  assertFailure(sub, 2, 'unknown command "cache purne"');
  assertStringIncludes(sub.stderr, 'did you mean "cache prune"?');
  const flag = await vc("path", "/a.csv", "--bukcet", "s3://b");
  assertFailure(flag, 2, "unknown flag --bukcet");
  assertStringIncludes(flag.stderr, "did you mean --bucket?");
  assertStringIncludes(flag.stderr, 'Run "vc path --help"');
  const missing = await vc("cache");
  assertFailure(missing, 2, "cache: missing subcommand");
  // A command quoted as one argument is not run; one after `--` is not a command.
  const quoted = await vc("cache dir");
  assertFailure(quoted, 2, 'unknown command "cache dir"');
  assertStringIncludes(quoted.stderr, "a command's words are separate arguments: vc cache dir");
  assertEquals(quoted.stdout, "");
  const afterDashes = await vc("--", "cache", "dir");
  // (The main help comes first on stderr, as for any missing command.)
  assertEquals(afterDashes.code, 2);
  assertStringIncludes(afterDashes.stderr, "vc: missing command\n");
  assertStringIncludes(afterDashes.stderr, 'the command goes before "--": vc cache dir');
  const onlyFlags = await vc("--json");
  assertEquals(onlyFlags.code, 2);
  // Beside --help, a misspelt flag is an error too, as it is for a command.
  for (const args of [["--help", "--jsno"], ["repo", "--help", "--bogus"], ["-h", "--bogus"]]) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown flag ${args.at(-1)}`);
    assertEquals(r.stdout, "", args.join(" "));
  }
  assertStringIncludes((await vc("--help", "--jsno")).stderr, "did you mean --json?");
  for (const args of [["--help"], ["--help", "--json"], ["repo", "-h"], ["--help", "--delete"]]) {
    assertEquals((await vc(...args)).code, 0, args.join(" "));
  }
});

Deno.test("main: a misspelt flag after `vc help TOPIC` points at that topic's page", async () => {
  for (
    const [args, page] of [
      [["help", "get", "--jsno"], "vc get --help"],
      [["help", "repo", "--jsno"], "vc repo --help"],
      [["help", "repo", "tag", "--jsno"], "vc repo tag --help"],
      [["help", "--jsno"], "vc --help"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, "unknown flag --jsno");
    assertStringIncludes(r.stderr, "did you mean --json?");
    assertStringIncludes(r.stderr, `Run "${page}" for usage.`, args.join(" "));
  }
});

Deno.test("main: flags may come before the command, values included", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  const r = await ws.run(["--manifest", "versioned_assets.json", "--json", "ls"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json(), [{ path: "/a.csv", version: "1.0.0" }]);
});

Deno.test("main: --json failures also print an error document on stdout", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["ls", "--json"]);
  assertFailure(r, 1, "versioned_assets.json");
  const doc = JSON.parse(r.stdout);
  assertEquals(doc.error.exitCode, 1);
  assertStringIncludes(doc.error.message, "does not exist");
  const usage = await ws.run(["ls", "--json", "--nope"]);
  assertEquals(usage.code, 2);
  assertEquals(JSON.parse(usage.stdout).error.exitCode, 2);
});

Deno.test("main: --verbose adds the stack; default is one line", async () => {
  await using ws = await CliWorkspace.create();
  const quiet = await ws.run(["ls"]);
  assertFailure(quiet, 1, "manifest");
  const verbose = await ws.run(["ls", "--verbose"]);
  assertEquals(verbose.code, 1);
  assert(verbose.stderr.split("\n").length > 3, verbose.stderr);
  assertStringIncludes(verbose.stderr, "at ");
});

Deno.test("main: an interrupt exits 130", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  await ws.write("bucket/a.1.0.0.csv", "a");
  const controller = new AbortController();
  controller.abort(new DOMException("interrupted", "AbortError"));
  const io = memoryIo({ env: ws.env, cwd: ws.dir, signal: controller.signal });
  const code = await runCli(["path", "/a.csv", "--bucket", ws.bucket], io);
  assertEquals(code, 130);
  assertEquals(io.stderr(), "vc: path interrupted\n");
});

Deno.test("main: startup loads no command module, and vc path never loads the S3 client", async () => {
  const cli = await staticGraph("cli.ts");
  assert(!cli.some((m) => m.includes("/src/cache/") || m.includes("/src/versioned/")), cli.join());
  assert(!cli.some((m) => m.startsWith("npm:")), "no npm package at startup");
  // What `vc path` loads: the versioned commands module and everything it imports statically.
  const path = await staticGraph("src/cli/versioned_commands.ts");
  const heavy = path.filter((m) => m.endsWith("/src/store/s3.ts") || m.includes("@aws-sdk"));
  assertEquals(heavy, []);
  for (const module of ["cache_commands.ts", "prefill_command.ts"]) {
    const graph = await staticGraph(`src/cli/${module}`);
    assertEquals(graph.filter((m) => m.includes("@aws-sdk")), [], module);
  }
});

Deno.test("main: the asset-cache commands do not load the versioned cache", async () => {
  // `vc cache get`, `vc prefill --list` of plain URIs and `vc repo` need the
  // asset cache only: the versioned stack (~200 KB of modules) is loaded
  // when a manifest is used.
  for (const module of ["cache_commands.ts", "prefill_command.ts", "repo_commands.ts"]) {
    const graph = await staticGraph(`src/cli/${module}`);
    const versioned = graph.filter((m) =>
      ["versioned_cache.ts", "publish.ts", "lock_ops.ts"].some((f) =>
        m.endsWith(`/src/versioned/${f}`)
      )
    );
    assertEquals(versioned, [], module);
  }
});

Deno.test("main: start-up and the ETag helpers load no node: module", async () => {
  // Any `node:` module brings up Deno's Node compatibility layer (~5 ms),
  // `node:crypto` ~10 ms more: `vc --help` needs neither, and the warm
  // `vc path` reaches hash.ts only for ETag string helpers.
  const cli = await staticGraph("cli.ts");
  assertEquals(cli.filter((m) => m.startsWith("node:")), [], "start-up (vc --help)");
  const hash = await staticGraph("src/hash.ts");
  assertEquals(hash.filter((m) => m.startsWith("node:")), [], "src/hash.ts");
});

Deno.test("main: a command group lists its own commands; an unknown subcommand is named", async () => {
  const io = memoryIo();
  assertEquals(await runCli(["cache", "--help"], io), 0);
  assertStringIncludes(io.stdout(), "cache get");
  assert(!io.stdout().includes("  add "), "group help lists only the group");
  const help = memoryIo();
  assertEquals(await runCli(["help", "cache"], help), 0);
  assertEquals(help.stdout(), io.stdout());
  const missing = memoryIo();
  assertEquals(await runCli(["cache"], missing), 2);
  assertStringIncludes(missing.stderr(), "missing subcommand");
  const unknown = memoryIo();
  assertEquals(await runCli(["cache", "bogus"], unknown), 2);
  assertStringIncludes(unknown.stderr(), 'unknown command "cache bogus"');
});

/** Start columns of the descriptions in the flag tables of a help page. */
function flagColumns(text: string): Map<string, number> {
  const columns = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^( {2}-\S, | {6})(--\S+(?: [A-Z,.]+)?)( +)\S/.exec(line);
    if (m) columns.set(m[2]!, m[1]!.length + m[2]!.length + m[3]!.length);
  }
  return columns;
}

Deno.test("main: help pages align every flag (-V too) and stay within 100 columns", async () => {
  for (
    const args of [
      ["--help"],
      ["repo", "--help"],
      ["serve", "--help"],
      ["cache-client", "--help"],
      ["cache-client", "get", "--help"],
    ]
  ) {
    const r = await vc(...args);
    assertEquals(r.code, 0, args.join(" "));
    const columns = flagColumns(r.stdout);
    assert(columns.has("--request-timeout SECONDS"), `${args.join(" ")}: ${[...columns.keys()]}`);
    assertEquals(
      new Set(columns.values()).size,
      1,
      `${args.join(" ")}: ${JSON.stringify([...columns])}`,
    );
    for (const line of r.stdout.split("\n")) {
      if (line.startsWith("  ")) assert(line.length <= 100, `${args.join(" ")}: ${line}`);
    }
  }
  const main = await vc("--help");
  assert(flagColumns(main.stdout).has("--version"), "-V, --version is listed");
  const repo = await vc("repo", "--help");
  assert(repo.stdout.startsWith("vc repo: "), repo.stdout.slice(0, 80));
  assertStringIncludes(repo.stdout, "Usage: vc repo <command>");
  assert(!repo.stdout.includes("VC_MANIFEST"), "the versioned settings are not a repo's");
});

Deno.test("main: an interrupt stops vc repo get --to (exit 130), nothing is written", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("in.bin", "content");
  const repo = `file://${ws.path("repo")}`;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  assertEquals((await ws.run(["repo", "add", "/a.bin", "in.bin", "--repo", repo])).code, 0);
  const controller = new AbortController();
  controller.abort(new DOMException("interrupted", "AbortError"));
  const io = memoryIo({ env: ws.env, cwd: ws.dir, signal: controller.signal });
  const code = await runCli(["repo", "get", "1", "--to", "out.bin", "--repo", repo], io);
  assertEquals(code, 130, io.stderr());
  assertEquals(await Deno.stat(ws.path("out.bin")).then(() => true, () => false), false);
});
