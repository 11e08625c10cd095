/**
 * A scratch workspace for CLI tests: a temp directory used as the working
 * directory, a `file://` bucket, a cache directory and a HOME, plus `run()`,
 * which calls `runCli` in-process with exactly this environment.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

/** What one in-process `vc` run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON. */
  json<T = unknown>(): T;
}

/** A temp workspace; dispose to delete it. */
export class CliWorkspace implements AsyncDisposable {
  /** The workspace directory (the commands' cwd). */
  readonly dir: string;
  /** Directory used as the bucket. */
  readonly bucketDir: string;
  /** `file://` URI of {@linkcode CliWorkspace.bucketDir}. */
  readonly bucket: string;
  /** The cache directory. */
  readonly cacheDir: string;
  /** Environment every run sees (plus per-run additions). */
  readonly env: Record<string, string>;

  private constructor(dir: string) {
    this.dir = dir;
    this.bucketDir = join(dir, "bucket");
    this.bucket = pathToFileURL(this.bucketDir).href;
    this.cacheDir = join(dir, "cache");
    this.env = { HOME: join(dir, "home"), VC_CACHE_DIR: this.cacheDir };
  }

  /** Creates the workspace with an empty bucket directory. */
  static async create(): Promise<CliWorkspace> {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cli_test_" }));
    const ws = new CliWorkspace(dir);
    await Deno.mkdir(ws.bucketDir);
    await Deno.mkdir(ws.env.HOME!);
    return ws;
  }

  /** Absolute path of `rel` inside the workspace. */
  path(rel: string): string {
    return join(this.dir, rel);
  }

  /** Writes a text file (creating directories) and returns its path. */
  async write(rel: string, text: string): Promise<string> {
    const path = this.path(rel);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, text);
    return path;
  }

  /** Reads a text file of the workspace. */
  read(rel: string): Promise<string> {
    return Deno.readTextFile(this.path(rel));
  }

  /** Runs `vc args...` in-process with the workspace as cwd. */
  async run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const io = memoryIo({ env: { ...this.env, ...env }, cwd: this.dir });
    const code = await runCli(args, io);
    const stdout = io.stdout();
    return {
      code,
      stdout,
      stderr: io.stderr(),
      json: <T>() => JSON.parse(stdout) as T,
    };
  }

  /**
   * Runs `vc args...` in-process as on a terminal (stderr one, `TERM=xterm`:
   * progress bars drawn); with `stopAt`, Ctrl-C comes when stderr first
   * shows that text (a bar's step or count).
   */
  async runOnTerminal(args: string[], stopAt?: string): Promise<CliResult> {
    const stop = new AbortController();
    const io = memoryIo({
      env: { ...this.env, TERM: "xterm" },
      cwd: this.dir,
      stderrIsTerminal: true,
      signal: stop.signal,
    });
    const write = io.writeStderr;
    io.writeStderr = (text) => {
      write(text);
      if (stopAt !== undefined && text.includes(stopAt)) {
        stop.abort(new DOMException("interrupted", "AbortError"));
      }
    };
    const code = await runCli(args, io);
    const stdout = io.stdout();
    return { code, stdout, stderr: io.stderr(), json: <T>() => JSON.parse(stdout) as T };
  }

  /** Runs with `--bucket` set to the workspace bucket. */
  vc(...args: string[]): Promise<CliResult> {
    return this.run([...args, "--bucket", this.bucket]);
  }

  /**
   * A repository at `DIR/repo` holding record 1 (`/f.txt`) whose content was
   * removed behind its back (what `vc repo check` reports); its URL.
   */
  async repoWithContentGone(): Promise<string> {
    const repo = pathToFileURL(join(this.dir, "repo")).href;
    await this.write("f.txt", "f");
    for (
      const args of [["repo", "init", repo], ["repo", "add", "/f.txt", "f.txt", "--repo", repo]]
    ) {
      const r = await this.run(args);
      if (r.code !== 0) throw new Error(`vc ${args.join(" ")}: ${r.stderr}`);
    }
    for await (const e of Deno.readDir(join(this.dir, "repo", "content"))) {
      await Deno.remove(join(this.dir, "repo", "content", e.name), { recursive: true });
    }
    return repo;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** Asserts a run failed with `code` and a single `vc: ...` line containing every `parts`. */
export function assertFailure(
  result: Pick<CliResult, "code" | "stdout" | "stderr">,
  code: number,
  ...parts: string[]
): void {
  const lines = result.stderr.trimEnd().split("\n");
  const first = lines[0] ?? "";
  const problems: string[] = [];
  if (result.code !== code) problems.push(`exit code ${result.code}, expected ${code}`);
  if (!first.startsWith("vc: ")) problems.push(`stderr does not start with "vc: "`);
  for (const part of parts) {
    if (!first.includes(part)) problems.push(`first line lacks ${JSON.stringify(part)}`);
  }
  if (code === 1 && lines.length !== 1) problems.push(`expected one line, got ${lines.length}`);
  if (problems.length > 0) {
    throw new Error(`${problems.join("; ")}\nstderr: ${result.stderr}\nstdout: ${result.stdout}`);
  }
}

/** Sets process environment variables (the S3 client reads them) during `fn`, then restores them. */
export async function withProcessEnv(
  env: Record<string, string>,
  fn: () => Promise<void>,
): Promise<void> {
  const saved = Object.keys(env).map((k) => [k, Deno.env.get(k)] as const);
  for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
  try {
    await fn();
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
}
