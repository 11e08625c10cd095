/**
 * Runs the real `vc` process for end-to-end tests: `deno run` with exactly the
 * release permission flags (scripts/permissions.ts, ending with --no-prompt),
 * a clean environment and a temp workspace, so a permission the CLI or the
 * AWS SDK needs but the release build lacks fails a test.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { denoDir } from "../scripts/deno_test_process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "cli.ts");

/** Deno's cache dir, so a child finds npm packages although HOME is a temp dir. */
export const DENO_DIR: string = await denoDir();

/**
 * The environment of a child `deno` process a test starts in `dir`: Deno's
 * cache (so npm packages are found), no update check, HOME and the vc cache
 * inside `dir`, no colours; `extra` on top.
 */
export function childEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DENO_DIR,
    DENO_NO_UPDATE_CHECK: "1",
    HOME: join(dir, "home"),
    VC_CACHE_DIR: join(dir, "cache"),
    NO_COLOR: "1",
    ...extra,
  };
}

/** Linux's limit of inotify watches of the user namespace the process is in (Linux 5.11 and later). */
const INOTIFY_WATCHES = "/proc/sys/user/max_inotify_watches";
/** A user namespace of its own, its user root there (who may lower its limits). */
const UNSHARE = ["unshare", "--user", "--map-root-user"];

/**
 * Whether {@linkcode vcCommand}'s `inotifyWatches` can lower the limit for
 * the child alone: Linux with `unshare` and user namespaces this user may
 * make (the machine's own `fs.inotify.max_user_watches` is never changed).
 */
export function canLimitInotifyWatches(): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    return new Deno.Command(UNSHARE[0]!, {
      args: [...UNSHARE.slice(1), "sh", "-c", `echo 8 > ${INOTIFY_WATCHES}`],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/** Credentials and region a child process uses against a test's fake or stalled S3 endpoint. */
export function testAwsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The longest a CLI run of a test may take before it is killed. */
const CLI_RUN_LIMIT_MS = 180_000;

/**
 * `vc ARGS` as a process in `dir`, with the release flags and only `env`
 * (`main` in place of cli.ts, with `denoFlags` beside the release flags;
 * standard input `"null"` unless `stdin` says `"piped"`), killed after `limitMs` (bounded: a command that should have failed and
 * went on, a server listening, fails its test instead of hanging the suite).
 */
export function vcCommand(
  dir: string,
  env: Record<string, string>,
  args: readonly string[],
  limitMs: number = CLI_RUN_LIMIT_MS,
  options: {
    main?: string;
    denoFlags?: readonly string[];
    fileSizeLimitKib?: number;
    inotifyWatches?: number;
    stdin?: "null" | "piped";
  } = {},
): Deno.Command {
  const run = [
    "run",
    ...PERMISSION_FLAGS,
    ...options.denoFlags ?? [],
    options.main ?? CLI,
    ...args,
  ];
  // Limits set by a shell that then becomes the process: a file-size limit
  // (bash's `ulimit -f`, in KiB: dash's counts 512-byte blocks), and Linux's
  // limit of inotify watches, lowered in a user namespace of the child's own
  // (see `canLimitInotifyWatches`), so no other process on the machine feels it.
  const limits = [
    ...options.fileSizeLimitKib === undefined ? [] : [`ulimit -f ${options.fileSizeLimitKib}`],
    ...options.inotifyWatches === undefined
      ? []
      : [`echo ${options.inotifyWatches} > ${INOTIFY_WATCHES}`],
  ];
  const shell = ["bash", "-c", `${limits.join(" && ")} && exec "$@"`, "bash"];
  const unshare = options.inotifyWatches === undefined ? [] : UNSHARE;
  const [cmd, ...rest] = limits.length === 0
    ? [Deno.execPath(), ...run]
    : [...unshare, ...shell, Deno.execPath(), ...run];
  return new Deno.Command(cmd!, {
    args: rest,
    cwd: dir,
    clearEnv: true,
    env,
    stdin: options.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(limitMs),
  });
}

/**
 * `vc ARGS` as a process with the release flags and `env` over
 * {@linkcode childEnv} of a temp dir of its own (its cwd, HOME and cache,
 * removed after): for tests whose workspace is not {@linkcode withWorkspace}'s.
 */
export async function runVc(args: readonly string[], env: Record<string, string>): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "vc_run_" });
  try {
    const { code, stdout, stderr } = await vcCommand(dir, childEnv(dir, env), args).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code, stdout: decode(stdout), stderr: decode(stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export async function withWorkspace(
  fn: (dir: string, vc: VcRunner, inProcess: VcRunner) => Promise<void>,
) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_e2e_" }));
  try {
    await Deno.mkdir(join(dir, "home"));
    await Deno.mkdir(join(dir, "bucket"));
    const baseEnv: Record<string, string> = {
      DENO_DIR,
      DENO_NO_UPDATE_CHECK: "1",
      HOME: join(dir, "home"),
      XDG_CONFIG_HOME: join(dir, "home", ".config"),
      VC_CACHE_DIR: join(dir, "cache"),
      VC_BUCKET: pathToFileURL(join(dir, "bucket")).href,
      NO_COLOR: "1",
    };
    const vc = async (args: string[], env: Record<string, string> = {}): Promise<Run> => {
      const { code, stdout, stderr } = await vcCommand(dir, { ...baseEnv, ...env }, args).output();
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code, stdout: decode(stdout), stderr: decode(stderr) };
    };
    // The same command line in this process, with the same environment and
    // cwd: for runs that check a command's result, not the process's.
    const inProcess = async (args: string[], env: Record<string, string> = {}): Promise<Run> => {
      // Loaded here: most files of process tests never run one in-process.
      const [{ memoryIo }, { runCli }] = await Promise.all([
        import("../src/cli/io.ts"),
        import("../src/cli/main.ts"),
      ]);
      const io = memoryIo({ env: { ...baseEnv, ...env }, cwd: dir });
      const code = await runCli(args, io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    };
    await fn(dir, vc, inProcess);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `vc ARGS` with extra environment `env`, as {@linkcode withWorkspace} gives it. */
export type VcRunner = (args: string[], env?: Record<string, string>) => Promise<Run>;

/**
 * A runner that runs each command's first run (the command: its first
 * `words` arguments, `repo get`) as the process — its permissions, its exit
 * with the code, its connections closed — and every later one in-process
 * (`inProcess`): the command line's answer is runCli's either way, and a
 * process costs about half a CPU-second, which a test repeating a command
 * over bad inputs paid for each.
 */
export function firstAsProcess(vc: VcRunner, inProcess: VcRunner, words = 2): VcRunner {
  const seen = new Set<string>();
  return (args, env) => {
    const command = args.slice(0, words).join(" ");
    if (seen.has(command)) return inProcess(args, env);
    seen.add(command);
    return vc(args, env);
  };
}

export function ok(run: Run, what: string): Run {
  if (run.code !== 0) {
    throw new Error(`${what} exited ${run.code}\nstderr: ${run.stderr}\nstdout: ${run.stdout}`);
  }
  return run;
}

/** A `vc` process started by {@linkcode spawnVc}, its output read as it comes. */
export interface SpawnedVc {
  /** What the process wrote so far to stdout and stderr. */
  readonly stdout: { text: string };
  readonly stderr: { text: string };
  /** Its exit status, once both streams are read to their end. */
  readonly status: Promise<Deno.CommandStatus>;
  /**
   * Waits (bounded: 30 s) until stderr holds `text`; it does not throw, so the
   * caller's assertion on stderr says what came instead.
   */
  untilStderr(text: string): Promise<void>;
}

/**
 * `vc ARGS` started in `dir` (see {@linkcode vcCommand}) for a test that acts
 * while it runs (lets a lock go, sends a signal): both streams are read from
 * the start, so a full pipe never stalls the child.
 */
export function spawnVc(
  dir: string,
  env: Record<string, string>,
  args: readonly string[],
  limitMs: number = CLI_RUN_LIMIT_MS,
): SpawnedVc {
  const child = vcCommand(dir, env, args, limitMs, {}).spawn();
  const stdout = { text: "" };
  const stderr = { text: "" };
  const reading = Promise.all([collect(child.stdout, stdout), collect(child.stderr, stderr)]);
  return {
    stdout,
    stderr,
    status: child.status.then(async (status) => (await reading, status)),
    async untilStderr(text) {
      for (let i = 0; i < 1500 && !stderr.text.includes(text); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

// Reads `stream` into `out.text` until it ends.
async function collect(stream: ReadableStream<Uint8Array>, out: { text: string }): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) out.text += decoder.decode(chunk, { stream: true });
}

/**
 * `deno ARGS` (check, run…) in `dir` as a project of the reader's would run
 * it: the environment of {@linkcode childEnv}, no prompt input; its stdout
 * and stderr as one text.
 */
export async function denoIn(
  dir: string,
  args: readonly string[],
): Promise<{ code: number; out: string }> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: run.code, out: text.decode(run.stdout) + text.decode(run.stderr) };
}

/** What {@linkcode mirrorWatchLog}'s `drive` may use while the watch runs. */
export interface MirrorWatchRun {
  /** What the watch wrote to stderr so far. */
  stderr(): string;
  /**
   * Waits (bounded: `tenths` tenths of a second, 60 s unless said) until
   * `ok()` holds; it does not throw, so the caller's assertion on stderr
   * says what came instead.
   */
  until(ok: () => boolean, tenths?: number): Promise<void>;
}

/** The debounce {@linkcode mirrorWatchLog} gives its watch. */
const WATCH_DEBOUNCE_MS = 100;

/**
 * Runs `vc mirror ARGS --watch --debounce 100ms --state s.db` (`args` the
 * mirror's own: its source, its target and any flags) as a process in
 * `dir`, HOME and the vc cache there, `env` added to this process's
 * environment; waits (bounded) for its `initial:` line, runs `drive` (the
 * changes and faults a test makes), then stops it with SIGTERM (`runAs`:
 * run as another user, see `nobodyPrefix` in as_nobody.ts). Returns
 * all it wrote to stderr; throws when it still ran 30 s after SIGTERM
 * (then killed with SIGKILL). Not on Windows (no SIGTERM there).
 */
export async function mirrorWatchLog(
  dir: string,
  args: readonly string[],
  drive: (run: MirrorWatchRun) => Promise<void>,
  env: Record<string, string> = {},
  runAs?: { prefix: string[]; env: Record<string, string> },
): Promise<string> {
  const run = ["run", ...PERMISSION_FLAGS, CLI, "mirror", ...args]
    .concat(["--watch", "--debounce", `${WATCH_DEBOUNCE_MS}ms`, "--state", "s.db"]);
  const [cmd, ...rest] = [...runAs?.prefix ?? [], Deno.execPath(), ...run];
  // Files the test wrote before the watch are older than its debounce when
  // the initial pass looks: else a watch that starts fast leaves one for
  // later as still being written, and its upload comes as the events' (the
  // "1 uploaded" a test waits for, before the file it meant).
  await new Promise((r) => setTimeout(r, WATCH_DEBOUNCE_MS + 50));
  const child = new Deno.Command(cmd!, {
    args: rest,
    cwd: dir,
    env: { ...env, HOME: dir, VC_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1", ...runAs?.env },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const chunks: string[] = [];
  const stderr = () => chunks.join("");
  const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (s) => void chunks.push(s) }),
  );
  const until = async (ok: () => boolean, tenths = 600) => {
    for (let i = 0; i < tenths && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
  };
  let ended = true;
  try {
    await until(() => stderr().includes("initial:"));
    await drive({ stderr, until });
  } finally {
    child.kill("SIGTERM");
    // Bounded: a watch deaf to SIGTERM fails its test (killed, not left running).
    let timer: ReturnType<typeof setTimeout> | undefined;
    ended = await Promise.race([
      child.status.then(() => true),
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), STOP_LIMIT_MS)),
    ]);
    clearTimeout(timer);
    if (!ended) child.kill("SIGKILL");
    await child.status;
    await reading;
  }
  if (!ended) {
    throw new Error(
      `vc mirror --watch still ran ${STOP_LIMIT_MS / 1000} s after SIGTERM:\n${stderr()}`,
    );
  }
  return stderr();
}

/**
 * A temp workspace (its real path, named by `prefix`) holding an empty
 * `data` directory to watch with {@linkcode mirrorWatchLog}, given to `fn`;
 * removed after.
 */
export async function withWatchDataDir(
  prefix: string,
  fn: (dir: string, data: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  try {
    await Deno.mkdir(join(dir, "data"));
    await fn(dir, join(dir, "data"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** How long {@linkcode mirrorWatchLog} waits for the watch to end after SIGTERM before SIGKILL. */
const STOP_LIMIT_MS = 30_000;
