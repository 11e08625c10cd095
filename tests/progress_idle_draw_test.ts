/**
 * On a terminal, a long operation shows it is running within half a second,
 * also before it has anything to count. The bar was drawn only by its first
 * update: a command waiting on a store that was slow to answer (or never
 * did: a request waiting out its 60 s timeout, then its retries) left the
 * terminal blank — `vc cache get`, `vc cat`, `vc path`, `vc mirror`, every
 * `vc repo` command while it opened the repository, and `vc serve` while it
 * probed its store for up to 10 s. And a transfer that stalled kept its last
 * rate and ETA on screen, as if bytes still came.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { shellWord } from "../src/shell_word.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { Output } from "../src/cli/output.ts";
import { ProgressBar } from "../src/progress.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { silentServer } from "./raw_server.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { childEnv, testAwsEnv } from "./cli_process.ts";
import { commandAvailable } from "./command_available.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** Resolves once `ready()` holds, checking every 20 ms; fails after `ms` (a test must not hang). */
async function until(ready: () => boolean, what: string, ms = 20_000): Promise<void> {
  const start = performance.now();
  while (!ready()) {
    if (performance.now() - start > ms) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("progress: on a terminal, a bar with no update yet is drawn after idleDrawMs, with the time so far", async () => {
  let out = "";
  let t = 0;
  const bar = new ProgressBar({
    label: "download s3://b/k",
    enabled: true,
    write: (s) => (out += s),
    now: () => t,
    columns: 80,
    idleDrawMs: 30,
  });
  try {
    t = 3_000;
    await until(() => out.includes("elapsed"), "the idle line");
    assertStringIncludes(out, "\r\x1b[Kdownload s3://b/k  elapsed 0:03");
  } finally {
    bar.done();
  }
  assert(out.endsWith("\r\x1b[K"), JSON.stringify(out));
  // Done: nothing more is drawn.
  const after = out;
  await new Promise((r) => setTimeout(r, 150));
  assertEquals(out, after);
});

Deno.test("progress: a stalled transfer is drawn again, its rate falling to 0 and its ETA gone", async () => {
  let out = "";
  let t = 0;
  const bar = new ProgressBar({
    label: "get",
    enabled: true,
    write: (s) => (out += s),
    now: () => t,
    columns: 100,
    idleDrawMs: 30,
  });
  try {
    bar.onBytes({ bytes: 0, total: 10_000_000 });
    t = 1_000;
    bar.onBytes({ bytes: 1_000_000, total: 10_000_000 });
    assertStringIncludes(out, "ETA");
    // Nothing comes for a whole rate window.
    t = 10_000;
    await until(() => out.endsWith("0 B/s"), "a redraw saying 0 B/s");
    const last = out.slice(out.lastIndexOf("\x1b[K") + 3);
    assertStringIncludes(last, "1.0 MB/10.0 MB");
    assert(!last.includes("ETA"), last);
  } finally {
    bar.done();
  }
});

Deno.test("progress: a count with no total (a listing) says the time so far; one with an ETA does not", () => {
  let t = 0;
  const listing = new ProgressBar({
    label: "ls-remote",
    enabled: false,
    now: () => t,
    columns: 100,
  });
  listing.onStep({ current: "listing", done: 0 });
  assertEquals(listing.line(), "ls-remote  0  listing");
  t = 65_000;
  listing.onStep({ current: "listing", done: 42_000 });
  assertEquals(listing.line(), "ls-remote  42000  elapsed 1:05  listing");
  const counted = new ProgressBar({ label: "sync", enabled: false, now: () => t, columns: 100 });
  t = 70_000;
  counted.onItems({ done: 1, total: 4 });
  assert(counted.line().includes("ETA") && !counted.line().includes("elapsed"), counted.line());
});

Deno.test("progress: a bar that is not drawn (a pipe) has no idle line, and a quick bar is never drawn", async () => {
  let piped = "";
  const off = new ProgressBar({ enabled: false, write: (s) => (piped += s), idleDrawMs: 10 });
  let quick = "";
  const fast = new ProgressBar({ enabled: true, write: (s) => (quick += s), idleDrawMs: 200 });
  fast.done();
  await new Promise((r) => setTimeout(r, 300));
  off.done();
  assertEquals(piped, "");
  assertEquals(quick, "");
});

Deno.test("output: a command's bar on a terminal is drawn before its first update; --quiet and a pipe draw none", async () => {
  const bars = (mode: "human" | "quiet", stderrIsTerminal: boolean) => {
    const io = memoryIo({ stderrIsTerminal, env: { TERM: "xterm" } });
    return { io, bar: new Output(io, { mode }).progress("download s3://b/k") };
  };
  const shown = bars("human", true);
  const quiet = bars("quiet", true);
  const piped = bars("human", false);
  try {
    await until(() => shown.io.stderr().includes("download s3://b/k"), "the bar");
  } finally {
    shown.bar.done();
    quiet.bar.done();
    piped.bar.done();
  }
  assert(shown.io.stderr().endsWith("\r\x1b[K"), JSON.stringify(shown.io.stderr()));
  assertEquals(quiet.io.stderr(), "");
  assertEquals(piped.io.stderr(), "");
});

/**
 * Runs `args` in-process on a pretend terminal against an S3 endpoint that
 * accepts connections and never answers, until stderr shows `expected`,
 * then interrupts it (Ctrl-C) and returns its exit code and stderr.
 */
async function waitingOnStore(
  args: (endpoint: string, dir: string) => string[],
  expected: string,
): Promise<{ code: number; stderr: string }> {
  await using silent = silentServer();
  const dir = await Deno.makeTempDir({ prefix: "vc-progress-idle-draw-" });
  // The S3 client reads its settings from the process environment.
  const aws = {
    AWS_ENDPOINT_URL: silent.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: join(dir, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
    VC_S3_PATH_STYLE: "1",
  };
  let result = { code: -1, stderr: "" };
  try {
    await withProcessEnv(aws, async () => {
      const stop = new AbortController();
      const io = memoryIo({
        env: { ...aws, HOME: dir, TERM: "xterm", VC_CACHE_DIR: join(dir, "cache") },
        cwd: dir,
        stderrIsTerminal: true,
        signal: stop.signal,
        cancel: stop.signal,
      });
      let ended = false;
      const run = runCli(args(silent.url, dir), io).finally(() => ended = true);
      try {
        await until(() => ended || io.stderr().includes(expected), `${expected} on the terminal`);
      } finally {
        stop.abort(new DOMException("interrupted", "AbortError"));
      }
      result = { code: await run, stderr: io.stderr() };
      assert(!ended || result.stderr.includes(expected), result.stderr);
    });
    return result;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (
  const [name, args, expected] of [
    ["vc cache get", () => ["cache", "get", "s3://b/data/k.bin"], "download s3://b/data/k.bin"],
    ["vc repo ls", () => ["repo", "ls", "--repo", "s3://b/repo"], "open s3://b/repo"],
    [
      "vc repo init",
      (_: string, dir: string) => ["repo", "init", "s3://b/new", "--catalog", `sqlite:${dir}/c.db`],
      "init s3://b/new",
    ],
    [
      "vc serve",
      (_: string, dir: string) => {
        Deno.writeTextFileSync(join(dir, "tokens.json"), "{}");
        return ["serve", "--store", "s3://b/svc", "--token-file", "tokens.json", "--port", "0"];
      },
      "check s3://b/svc",
    ],
  ] as const
) {
  Deno.test(`${name} waiting on a store that does not answer: its line is on the terminal, and gone at the end`, async () => {
    const { code, stderr } = await waitingOnStore(args, expected);
    // Interrupted (130), or a serve stopped before it listened.
    assert(code !== 0 || name === "vc serve", stderr);
    // The line was erased before whatever came after it.
    const at = stderr.indexOf(expected);
    const rest = stderr.slice(at);
    assert(rest.includes("\r\x1b[K"), JSON.stringify(stderr));
    assert(!stderr.includes("listening on"), stderr);
  });
}

// `script` (util-linux) runs a command on a pseudo-terminal and copies what it draws to stdout.
const hasScript = commandAvailable("script");

Deno.test({
  name:
    "vc cache get on a real terminal (under script), the store silent: the line is drawn, then erased before the error" +
    (hasScript ? "" : " (ignored: no `script` command on this machine)"),
  ignore: !hasScript,
  async fn() {
    await using silent = silentServer();
    const dir = await Deno.makeTempDir({ prefix: "vc-progress-idle-draw-tty-" });
    try {
      const command = [
        Deno.execPath(),
        "run",
        ...PERMISSION_FLAGS,
        CLI,
        "cache",
        "get",
        "s3://b/data/k.bin",
        // The command ends by itself: one attempt, given up after 5 s of silence.
        "--request-timeout",
        "5",
      ].map(shellWord).join(" ");
      const out = await new Deno.Command("script", {
        args: ["-qfec", command, "/dev/null"],
        cwd: dir,
        clearEnv: true,
        env: {
          ...childEnv(dir, testAwsEnv(silent.url)),
          AWS_MAX_ATTEMPTS: "1",
          TERM: "xterm",
          SHELL: "/bin/sh",
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const screen = new TextDecoder().decode(out.stdout);
      assertEquals(out.code, 1, screen);
      const drawn = screen.indexOf("\r\x1b[Kdownload s3://b/data/k.bin");
      const error = screen.indexOf("vc: ");
      assert(drawn >= 0 && error > drawn, JSON.stringify(screen));
      assertStringIncludes(screen.slice(0, error), "elapsed 0:0");
      assert(screen.slice(0, error).endsWith("\r\x1b[K"), JSON.stringify(screen));
      assertStringIncludes(screen.slice(error), "timed out");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
