import { Flags, parseCommandArgs } from "../src/cli/args.ts";
import { errorMessage, exitCodeFor, formatError, UsageError } from "../src/cli/errors.ts";
import { memoryIo } from "../src/cli/io.ts";
import { Output, table } from "../src/cli/output.ts";
import { closest } from "../src/suggest.ts";
import { parseDuration, parseSize } from "../src/cli/units.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

const ADD = {
  command: "add",
  options: {
    version: { type: "string" as const, valueName: "V", description: "first version" },
    bucket: { type: "string" as const, description: "bucket" },
    list: { type: "string" as const, multiple: true, description: "lists" },
    immutable: { type: "boolean" as const, description: "never revalidate" },
  },
  positionals: ["PATH", "FILE"],
  required: 2,
};

Deno.test("args: flags before, between and after positionals, with = or space", () => {
  const { flags, positionals } = parseCommandArgs(
    [
      "--bucket",
      "s3://b",
      "/a.csv",
      "--version=1.2.3",
      "a.csv",
      "--json",
      "--list",
      "x",
      "--list=y",
    ],
    ADD,
  );
  assertEquals(positionals, ["/a.csv", "a.csv"]);
  assertEquals(flags.string("bucket"), "s3://b");
  assertEquals(flags.string("version"), "1.2.3");
  assertEquals(flags.list("list"), ["x", "y"]);
  assert(flags.boolean("json") && !flags.boolean("quiet"));
});

Deno.test("args: -- ends flags so a positional may start with a dash", () => {
  const { positionals } = parseCommandArgs(["--", "-weird.csv", "f"], ADD);
  assertEquals(positionals, ["-weird.csv", "f"]);
});

Deno.test("args: unknown flag is a usage error with a suggestion", () => {
  const e = assertThrows(() => parseCommandArgs(["/a", "f", "--buckt", "x"], ADD), UsageError);
  assertStringIncludes(e.message, '--buckt for "add"');
  assertEquals(e.hint, "did you mean --bucket?");
  assertEquals(exitCodeFor(e), 2);
  const short = assertThrows(() => parseCommandArgs(["/a", "f", "-z"], ADD), UsageError);
  assertStringIncludes(short.message, "unknown flag -z");
});

Deno.test("args: value flags need a value, boolean flags refuse one", () => {
  assertStringIncludes(
    assertThrows(() => parseCommandArgs(["/a", "f", "--version"], ADD), UsageError).message,
    "--version needs a value",
  );
  assertStringIncludes(
    assertThrows(() => parseCommandArgs(["/a", "f", "--bucket", "--json"], ADD), UsageError)
      .message,
    "got the flag --json",
  );
  assertStringIncludes(
    assertThrows(() => parseCommandArgs(["/a", "f", "--immutable=yes"], ADD), UsageError).message,
    "does not take a value",
  );
  assertStringIncludes(
    assertThrows(() => parseCommandArgs(["/a", "f", "--bucket=a", "--bucket=b"], ADD), UsageError)
      .message,
    "more than once",
  );
});

Deno.test("args: positional counts", () => {
  assertStringIncludes(
    assertThrows(() => parseCommandArgs(["/a"], ADD), UsageError).message,
    "add: missing FILE",
  );
  assertStringIncludes(
    assertThrows(() => parseCommandArgs([], ADD), UsageError).message,
    "missing PATH and FILE",
  );
  assertStringIncludes(
    assertThrows(() => parseCommandArgs(["/a", "f", "extra"], ADD), UsageError).message,
    'unexpected argument "extra"',
  );
  // --help skips the count check so `vc add --help` works.
  assert(parseCommandArgs(["--help"], ADD).flags.boolean("help"));
});

Deno.test("args: Flags accessors", () => {
  const f = new Flags({ a: "1", b: true, c: ["x", "y"] });
  assertEquals(f.string("a"), "1");
  assertEquals(f.string("b"), undefined);
  assertEquals(f.string("c"), "y");
  assertEquals(f.list("a"), ["1"]);
  assertEquals(f.list("missing"), []);
  assert(f.boolean("b") && !f.boolean("a"));
});

Deno.test("suggest: typos, swaps and unique prefixes", () => {
  assertEquals(closest("updte", ["add", "update"]), "update");
  assertEquals(closest("verison", ["version", "versions"]), "version");
  assertEquals(closest("ls-rem", ["ls", "ls-remote"]), "ls-remote");
  assertEquals(closest("zzz", ["add", "update"]), undefined);
});

Deno.test("units: sizes", () => {
  assertEquals(parseSize("10GB"), 10e9);
  assertEquals(parseSize("10gb"), 10e9);
  assertEquals(parseSize("2GiB"), 2 * 2 ** 30);
  assertEquals(parseSize("1.5 MB"), 1_500_000);
  assertEquals(parseSize("512"), 512);
  assertEquals(parseSize("3k"), 3000);
  for (const bad of ["", "GB", "-1GB", "10 XB", "1e9", "ten"]) {
    const e = assertThrows(() => parseSize(bad, "--max-size"), UsageError);
    assertStringIncludes(e.message, `--max-size: invalid size "${bad}"`);
  }
});

Deno.test("units: durations", () => {
  assertEquals(parseDuration("30d"), 30 * 86_400_000);
  assertEquals(parseDuration("2w"), 14 * 86_400_000);
  assertEquals(parseDuration("12h"), 12 * 3_600_000);
  assertEquals(parseDuration("15m"), 900_000);
  assertEquals(parseDuration("45s"), 45_000);
  assertEquals(parseDuration("500ms"), 500);
  assertEquals(parseDuration("1h30m"), 5_400_000);
  assertEquals(parseDuration("0"), 0);
  assertEquals(parseDuration("30D"), 30 * 86_400_000);
  // A capital M reads as months: refused, never minutes.
  for (const bad of ["30", "", "d", "3 days", "-1d", "1y", "6M", "1h30M"]) {
    const e = assertThrows(() => parseDuration(bad, "--older-than"), UsageError);
    assertStringIncludes(e.message, "--older-than");
  }
});

Deno.test("errors: one line for expected errors, details only with verbose", () => {
  const nf = new NotFoundError("s3://b/k.csv does not exist", { cause: new Error("404") });
  assertEquals(formatError(nf), "vc: s3://b/k.csv does not exist\n");
  const verbose = formatError(nf, { verbose: true });
  assertStringIncludes(verbose, "NotFoundError");
  assertStringIncludes(verbose, "caused by: Error: 404");
  assertEquals(exitCodeFor(nf), 1);
  assertEquals(exitCodeFor(new InvalidInputError("x")), 1);
  // A Deno I/O error names the path itself.
  const io = new Deno.errors.PermissionDenied("Permission denied (os error 13): open '/ro/x'");
  assertEquals(formatError(io), "vc: Permission denied (os error 13): open '/ro/x'\n");
  // Anything else is reported as an internal error with a pointer to --verbose.
  const bug = formatError(new TypeError("x is undefined"));
  assertStringIncludes(bug, "vc: internal error: TypeError: x is undefined\n");
  assertStringIncludes(bug, "--verbose");
  assertEquals(errorMessage("weird"), "internal error: weird");
  const usage = formatError(
    new UsageError('unknown command "ad"', { hint: 'did you mean "add"?' }),
  );
  assertEquals(
    usage,
    'vc: unknown command "ad"\nvc: did you mean "add"?\nRun "vc --help" for usage.\n',
  );
});

Deno.test("output: modes, quiet, json and NO_COLOR", async () => {
  const human = memoryIo();
  const out = new Output(human);
  await out.data({ a: 1 }, "data");
  await out.status({ a: 1 }, ["status", "two"]);
  out.info("note");
  out.warn("careful");
  assertEquals(human.stdout(), "data\nstatus\ntwo\n");
  assertEquals(human.stderr(), "note\nvc: warning: careful\n");

  const quiet = memoryIo();
  const q = new Output(quiet, { mode: "quiet" });
  await q.data({}, "essential");
  await q.status({}, "optional");
  q.info("note");
  q.warn("careful");
  assertEquals(quiet.stdout(), "essential\n");
  assertEquals(quiet.stderr(), "");

  const json = memoryIo();
  const j = new Output(json, { mode: "json" });
  await j.status({ added: "/x" }, "added /x");
  assertEquals(JSON.parse(json.stdout()), { added: "/x" });

  const tty = new Output(memoryIo({ stderrIsTerminal: true }));
  assert(tty.color);
  assertEquals(tty.paint("x", "31"), "\x1b[31mx\x1b[0m");
  const noColor = new Output(memoryIo({ stderrIsTerminal: true, env: { NO_COLOR: "1" } }));
  assert(!noColor.color);
  assertEquals(noColor.paint("x", "31"), "x");
  assert(!new Output(memoryIo()).color, "no colour when stderr is not a terminal");
});

Deno.test("output: progress bar only on a terminal, in human mode (or --json with stdout elsewhere)", () => {
  const tty = memoryIo({ stderrIsTerminal: true });
  const bar = new Output(tty).progress("get");
  bar.update({ done: 1, total: 1 });
  bar.done();
  assertStringIncludes(tty.stderr(), "1/1");
  // --json with stdout redirected draws it: json_mode_terminal_progress_test.ts.
  for (const mode of ["json", "quiet"] as const) {
    const io = memoryIo({ stderrIsTerminal: true, stdoutIsTerminal: true });
    const b = new Output(io, { mode }).progress("get");
    b.update({ done: 1, total: 1 });
    b.done();
    assertEquals(io.stderr(), "");
  }
  const pipe = memoryIo();
  const p = new Output(pipe).progress("get");
  p.update({ done: 1, total: 1 });
  assertEquals(pipe.stderr(), "");
});

Deno.test("output: table aligns columns", () => {
  assertEquals(table([["/a.csv", "1.0.0"], ["/longer.csv", "2.0.0"]]), [
    "/a.csv       1.0.0",
    "/longer.csv  2.0.0",
  ]);
  assertEquals(table([]), []);
});

Deno.test("help: every command's options read once: no doubled notes, no empty descriptions", async () => {
  const { COMMANDS } = await import("../src/cli/command_table.ts");
  const { commandHelp } = await import("../src/cli/help.ts");
  for (const entry of COMMANDS) {
    const command = await entry.load();
    const text = commandHelp(command, entry.summary);
    // A long description wraps, so the second note may start the next line.
    const doubled = /\(repeatable\)\s+\(repeatable\)/.test(text);
    assert(!doubled, `vc ${entry.name} --help:\n${text}`);
    for (const [name, option] of Object.entries(command.options ?? {})) {
      assert(option.description.trim() !== "", `vc ${entry.name} --${name} has no description`);
    }
  }
});

Deno.test("args: names of Object.prototype members are unknown flags, not accepted ones", () => {
  for (const raw of ["--toString", "--constructor=1", "--hasOwnProperty", "--valueOf"]) {
    const e = assertThrows(() => parseCommandArgs(["/a", "f", raw], ADD), UsageError);
    assertStringIncludes(e.message, `unknown flag ${raw.split("=")[0]} for "add"`);
  }
});
