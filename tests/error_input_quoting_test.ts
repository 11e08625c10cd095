/**
 * An error that echoes what the user typed stays readable: a 20,000-character
 * argument, flag value or environment value comes back as its first and last
 * characters and its length (`"aaaa…aaaa" (20000 characters)`), not whole,
 * and a control character in one is shown as an escape, never acting on the
 * terminal. The message still names the flag or argument, and the exit code
 * is the one the input always had. Runs the command line over a table of
 * commands in-process (the messages are runCli's), and the cases marked
 * `process` also as the real `vc` process, with the release permission flags
 * (an environment value it may read, an error from the OS, a command it
 * does not know): a process per case cost a second of CPU each.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { childEnv, type Run, vcCommand } from "./cli_process.ts";

const LONG = "a".repeat(20_000);
const CONTROL = "x\x1b[2J\ny\u202ez";
// Long, with spaces: a message that shows its input unquoted cannot find its end by a space.
const SPACED = "a ".repeat(10_000);
// The most a message may take: its text, the usage hint, and two 40-character ends.
const MAX_STDERR_CHARS = 600;
const MAX_STDERR_LINES = 4;

interface Case {
  /** What the error must name (the flag, the argument's role). */
  names: string;
  /** The command line, `@` standing for the value under test. */
  args: string[];
  /** Environment values, `@` likewise. */
  env?: Record<string, string>;
  /** The exit code such an input always had. */
  code: number;
  /** Only for one of the values (a control character may fail otherwise). */
  only?: "long" | "control";
  /** Also with {@linkcode SPACED}. */
  spaced?: boolean;
  /** Also run as the `vc` process. */
  process?: boolean;
}

const CASES: Case[] = [
  { names: "record id", args: ["repo", "get", "@"], code: 2 },
  { names: "record id", args: ["repo", "publish", "@"], code: 2 },
  { names: "--state", args: ["repo", "ls", "--state", "@"], code: 2 },
  { names: "--tag", args: ["repo", "ls", "--tag", "@"], code: 2 },
  { names: "--path", args: ["repo", "ls", "--path", "@"], code: 2 },
  { names: "--date-tag", args: ["repo", "add", "/p", "f.txt", "--date-tag", "@"], code: 2 },
  { names: "--any", args: ["repo", "find", "--any", "@"], code: 2 },
  { names: "--holder", args: ["repo", "claim", "--holder", "@", "--ttl", "60"], code: 2 },
  { names: "--grace", args: ["repo", "gc", "--grace", "@"], code: 2, spaced: true },
  { names: "key", args: ["repo", "restore", "@"], code: 1 },
  { names: "--request-timeout", args: ["ls", "--request-timeout", "@"], code: 2 },
  { names: "unknown flag", args: ["ls", "--@"], code: 2 },
  { names: "unknown command", args: ["@"], code: 2, process: true },
  { names: "--concurrency", args: ["prefill", "--concurrency", "@"], code: 2 },
  { names: "--max-size", args: ["cache", "prune", "--max-size", "@"], code: 2 },
  { names: "TARGET", args: ["mirror", "src", "@"], code: 2 },
  {
    names: "VC_CACHE_TIMEOUT",
    args: ["cache", "get", "f.txt"],
    env: { VC_CACHE_TIMEOUT: "@" },
    code: 1,
    process: true,
  },
  { names: "VC_BUCKET", args: ["ls-remote"], env: { VC_BUCKET: "@" }, code: 1, process: true },
  { names: "has no versions", args: ["versions", "@"], code: 0, only: "long" },
  {
    names: "is too long for this system",
    args: ["cache", "get", "@"],
    code: 1,
    only: "long",
    process: true,
  },
  {
    names: "is too long for this system",
    args: ["cache", "get", "@"],
    code: 1,
    only: "long",
    spaced: true,
  },
  { names: "--state", args: ["repo", "ls", "--state", "@"], code: 2, only: "long", spaced: true },
];

/** Runs `vc` as a process in `dir`, with the environment the in-process runs see. */
async function vcProcess(dir: string, args: string[], env: Record<string, string>): Promise<Run> {
  const out = await vcCommand(dir, childEnv(dir, env), args).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("an error quoting a 20,000-character or control-character input stays one readable line", async () => {
  await using ws = await CliWorkspace.create();
  const dir = ws.dir;
  await Deno.writeTextFile(join(dir, "f.txt"), "x");
  await Deno.mkdir(join(dir, "src"));
  const repo = pathToFileURL(join(dir, "repo")).href;
  const baseEnv = {
    XDG_CONFIG_HOME: join(dir, "home", ".config"),
    VC_BUCKET: ws.bucket,
    NO_COLOR: "1",
  };
  const init = await ws.run(["repo", "init", repo], baseEnv);
  assertEquals(init.code, 0, init.stderr);
  let processes = 0;
  for (const c of CASES) {
    const values = [["long", LONG], ["control", CONTROL], ["spaced", SPACED]] as const;
    for (const [kind, value] of values) {
      if (kind === "spaced" ? !c.spaced : c.only !== undefined && c.only !== kind) continue;
      const put = (s: string) => s.replace("@", value);
      const env = Object.fromEntries(
        Object.entries({ ...baseEnv, VC_REPO: repo, ...c.env }).map(([k, v]) => [k, put(v)]),
      );
      const args = c.args.map(put);
      const runs: [string, Run][] = [["in-process", await ws.run(args, env)]];
      if (c.process) {
        runs.push(["process", await vcProcess(dir, args, env)]);
        processes++;
      }
      for (const [how, run] of runs) {
        const what = `vc ${c.args.join(" ")} (${kind}, ${how})`;
        const shown = run.stderr.slice(0, 300);
        assertEquals(run.code, c.code, `${what}: ${shown}`);
        assertStringIncludes(run.stderr, c.names, what);
        assert(
          run.stderr.length <= MAX_STDERR_CHARS,
          `${what}: ${run.stderr.length} chars: ${shown}`,
        );
        const lines = run.stderr.trimEnd().split("\n");
        assert(lines.length <= MAX_STDERR_LINES, `${what}: ${lines.length} lines: ${shown}`);
        if (kind === "spaced") {
          assertStringIncludes(run.stderr, "(20000 characters)", what);
        } else if (kind === "long") {
          // Its ends around "…", and its length: cut whatever quoted it.
          assert(
            /a{30}…a{30,40}.{0,2} \(200\d\d characters\)/.test(run.stderr),
            `${what}: ${shown}`,
          );
        } else {
          // Shown, as escapes: the ESC and the newline never reach the terminal.
          assert(
            !run.stderr.includes("\x1b") && !run.stderr.includes("\u202e"),
            `${what}: ${JSON.stringify(run.stderr)}`,
          );
          assertStringIncludes(run.stderr.replaceAll("\\u001b", "\\x1b"), "x\\x1b[2J\\ny", what);
        }
      }
    }
  }
  assertEquals(processes, 7, "the process runs: each kind of value, env, OS and parse errors");
});
