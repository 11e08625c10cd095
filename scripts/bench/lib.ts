/**
 * Shared pieces of the benchmarks: arguments, goal reporting, the fake S3
 * server in a separate process, timed child processes, and test data.
 *
 * Every benchmark prints vc's figure and its peer's figure measured in the
 * same run (interleaved where it matters: the machine is shared and noisy),
 * the ratio, and PASS/MISS against the stated goal.
 *
 * @module
 */
import { RELEASE_V8_FLAGS } from "../compile.ts";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { FakeS3Stats } from "../../src/testing/mod.ts";
import { PERMISSION_FLAGS } from "../permissions.ts";
import type { FakeServerAnnouncement } from "./fake_server.ts";

/** The repository root (absolute, with a trailing slash). */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** `cli.ts`, absolute. */
export const CLI: string = `${ROOT}cli.ts`;
/** `deno run` flags of the vc CLI, exactly as released. */
export const VC_FLAGS: readonly string[] = PERMISSION_FLAGS;

export const KiB = 1024;
export const MiB: number = 1024 * KiB;
export const GiB: number = 1024 * MiB;

/** Command line of one benchmark. */
export interface BenchArgs {
  /** Smaller sizes and fewer repetitions. */
  quick: boolean;
  /** Where to append this benchmark's goal results as JSON (used by `all.ts`). */
  results: string | undefined;
}

/** Parses `--quick` and `--results FILE`. */
export function parseBenchArgs(args: readonly string[]): BenchArgs {
  const { quick, results } = parseBenchNumbers(args, {});
  return { quick, results };
}

/**
 * Parses `--quick`, `--results FILE` and the benchmark's own number flags
 * (`--count N`, `--rounds R`, ...): `defaults` gives each flag's value when
 * it is not given, `[full, quick]` (the second with `--quick`). A given
 * value is read with `Number()`, as the benchmarks always read them.
 */
export function parseBenchNumbers<K extends string>(
  args: readonly string[],
  defaults: Record<K, readonly [full: number, quick: number]>,
): BenchArgs & { numbers: Record<K, number> } {
  const flags = Object.keys(defaults) as K[];
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      quick: { type: "boolean" },
      results: { type: "string" },
      ...Object.fromEntries(flags.map((flag) => [flag, { type: "string" as const }])),
    },
  });
  const given = values as Record<string, string | boolean | undefined>;
  const quick = values.quick ?? false;
  const numbers = Object.fromEntries(flags.map((flag) => {
    const value = given[flag];
    return [flag, typeof value === "string" ? Number(value) : defaults[flag][quick ? 1 : 0]];
  })) as Record<K, number>;
  return { quick, results: values.results, numbers };
}

/** One goal's verdict. */
export interface GoalResult {
  bench: string;
  /** What is measured, e.g. "files/s vs aws s3 sync". */
  name: string;
  /** The compared quantity (a ratio, or an absolute figure for goals without a peer). */
  value: number;
  /** How `value` is printed ("×", "µs/call", "MiB", ...). */
  unit: string;
  /** e.g. ">= 10" */
  goal: string;
  pass: boolean;
  /** vc's and the peer's figures, for the summary. */
  detail: string;
}

/** Collects and prints goal results of one benchmark. */
export class Report {
  readonly results: GoalResult[] = [];
  constructor(readonly bench: string) {}

  /** Prints an informational line. */
  info(line: string): void {
    console.log(`[${this.bench}] ${line}`);
  }

  /** Records and prints a goal: `value op threshold`. */
  goal(
    name: string,
    value: number,
    unit: string,
    op: ">=" | "<=" | "<" | "==",
    threshold: number,
    detail: string,
  ): boolean {
    const pass = op === ">="
      ? value >= threshold
      : op === "<="
      ? value <= threshold
      : op === "<"
      ? value < threshold
      : value === threshold;
    const result: GoalResult = {
      bench: this.bench,
      name,
      value,
      unit,
      goal: `${op} ${fmtNum(threshold)}${unit}`,
      pass,
      detail,
    };
    this.results.push(result);
    console.log(
      `[${this.bench}] ${pass ? "PASS" : "MISS"} ${name}: ${fmtNum(value)}${unit} ` +
        `(goal ${result.goal}) | ${detail}`,
    );
    return pass;
  }

  /** Writes the results for `all.ts`, when asked to. */
  async finish(args: BenchArgs): Promise<void> {
    if (args.results === undefined) return;
    const lines = this.results.map((r) => JSON.stringify(r) + "\n").join("");
    await Deno.writeTextFile(args.results, lines, { append: true });
  }
}

/** A number with 3 significant digits (more for large values), no exponent. */
export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  if (abs === 0) return "0";
  return n.toPrecision(3);
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The lowest and highest of a non-empty list, as `low–high` with `digits` decimals. */
export function span(xs: readonly number[], digits = 2): string {
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}

/** Megabytes (10^6) per second. */
export function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

// ---------------------------------------------------------------------------
// Temp dirs

/** A temp dir removed on dispose. */
export async function tempDir(prefix: string): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: `vc-bench-${prefix}-` });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** Removes a path if it exists. */
export async function removeQuietly(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
}

/** Number of regular files under `dir` (recursive). */
export async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile) n++;
    else if (e.isDirectory) n += await countFiles(`${dir}/${e.name}`);
  }
  return n;
}

// ---------------------------------------------------------------------------
// Child processes

/** What a timed child process did. */
export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode timed}. */
export interface TimedOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Kill after this many ms (default 10 minutes): every run is bounded. */
  timeoutMs?: number;
  /** Throw unless the exit code is 0 (default true). */
  check?: boolean;
  /** Start from an empty environment (only `env`), not this process's. */
  clearEnv?: boolean;
}

/**
 * CPU time (user + system, ms) of this process's children that have ended
 * and been waited for (`cutime` + `cstime` of `/proc/self/stat`, 10 ms
 * ticks); `undefined` off Linux. Taken before and after a {@linkcode timed}
 * run it gives that child's CPU, when no other child ended meanwhile: on a
 * loaded machine a child's wall time is mostly its wait for a core, and a
 * child with many runnable threads gets more cores than one with a busy main
 * thread, while its CPU time moves much less.
 */
export function childrenCpuMs(): number | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/self/stat");
  } catch {
    return undefined;
  }
  // Fields after the command's closing parenthesis, from field 3 (state).
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return undefined;
  return (cutime + cstime) * 10; // USER_HZ is 100 on Linux
}

/** Runs a command to completion and measures its wall time. */
export async function timed(
  cmd: string,
  args: readonly string[],
  opts: TimedOptions = {},
): Promise<Timed> {
  const command = new Deno.Command(cmd, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.clearEnv ? { clearEnv: true } : {}),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000),
  });
  const t0 = performance.now();
  const out = await command.output();
  const ms = performance.now() - t0;
  const dec = new TextDecoder();
  const result = {
    ms,
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
  if ((opts.check ?? true) && out.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${out.code} (signal ${out.signal}):\n` +
        `${result.stderr.slice(-2000)}\n${result.stdout.slice(-2000)}`,
    );
  }
  return result;
}

/** Flushes dirty pages, so one run's writeback is not billed to the next. */
export async function syncDisks(): Promise<void> {
  await timed("sync", [], { timeoutMs: 120_000 });
}

/** `deno run` arguments for the vc CLI with its release permissions. */
export function vcArgs(...cliArgs: string[]): string[] {
  return ["run", ...VC_FLAGS, CLI, ...cliArgs];
}

/**
 * `deno run` arguments for the release build's entry (`entry`, built by
 * `buildRelease` of scripts/compile.ts) as the binary runs it: the release
 * permissions and the V8 flags `deno compile` bakes in, with the project's
 * import map (the npm packages the bundle leaves out).
 */
export function releaseArgs(entry: string, ...cliArgs: string[]): string[] {
  return [
    "run",
    ...VC_FLAGS,
    `--v8-flags=${RELEASE_V8_FLAGS.join(",")}`,
    "--config",
    `${ROOT}deno.json`,
    entry,
    ...cliArgs,
  ];
}

// ---------------------------------------------------------------------------
// The fake S3 server, out of process

/** The fake S3 server running in its own process (see `fake_server.ts`). */
export class FakeServer implements AsyncDisposable {
  private constructor(
    readonly url: string,
    readonly control: string,
    readonly child: Deno.ChildProcess,
    private readonly stdin: WritableStreamDefaultWriter<Uint8Array>,
  ) {}

  /** Starts the server; `dir` selects the disk backend. */
  static async start(opts: { dir?: string; buckets?: string[] } = {}): Promise<FakeServer> {
    const args = [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      `${ROOT}scripts/bench/fake_server.ts`,
    ];
    if (opts.dir !== undefined) args.push("--dir", opts.dir);
    for (const b of opts.buckets ?? []) args.push("--bucket", b);
    const child = new Deno.Command(Deno.execPath(), {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const stdin = child.stdin.getWriter();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const deadline = Date.now() + 60_000;
    while (!text.includes("\n")) {
      if (Date.now() > deadline) throw new Error("fake_server did not start within 60 s");
      const { value, done } = await reader.read();
      if (done) throw new Error(`fake_server exited before announcing itself: ${text}`);
      text += value;
    }
    // Keep draining stdout so the child never blocks on a full pipe.
    (async () => {
      while (!(await reader.read()).done) { /* discard */ }
    })().catch(() => {});
    const a = JSON.parse(text.slice(0, text.indexOf("\n"))) as FakeServerAnnouncement;
    return new FakeServer(a.url, a.control, child, stdin);
  }

  /** Environment for S3 clients talking to this server. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_ENDPOINT_URL_S3: this.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
    };
  }

  /** Request counts since start or the last reset. */
  async stats(): Promise<FakeS3Stats> {
    const res = await fetch(`${this.control}/stats`);
    return await res.json() as FakeS3Stats;
  }

  /** Zeroes the request counts. */
  async reset(): Promise<void> {
    const res = await fetch(`${this.control}/reset`, { method: "POST" });
    await res.body?.cancel();
  }

  /** Stops the server (closing its stdin) and waits for it. */
  async stop(): Promise<void> {
    await this.stdin.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 10_000);
    await this.child.status;
    clearTimeout(timer);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** Only the non-zero counts of a stats snapshot, e.g. `GetObject=3 total=3`. */
export function fmtStats(s: FakeS3Stats): string {
  const parts = Object.entries(s).filter(([, v]) => v !== 0).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? "no requests" : parts.join(" ");
}

// ---------------------------------------------------------------------------
// Test data

/** Deterministic pseudo-random bytes (xorshift), distinct per seed. */
export function pseudoRandom(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, Math.floor(size / 4));
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  for (let i = words.length * 4; i < size; i++) out[i] = (seed + i) & 0xff;
  return out;
}

/** Uploads small objects with unsigned PUTs (the fake accepts them), `concurrency` at a time. */
export async function putObjects(
  url: string,
  bucket: string,
  keys: readonly string[],
  size: number,
  concurrency = 32,
): Promise<void> {
  await fetchOk(`${url}/${bucket}`, { method: "PUT" }); // create the bucket (idempotent)
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      await fetchOk(`${url}/${bucket}/${keys[i]}`, {
        method: "PUT",
        body: pseudoRandom(size, i + 1),
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function fetchOk(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(600_000) });
  if (!res.ok && !(init.method === "PUT" && res.status === 409)) {
    throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  }
  return res;
}

/** Writes `size` pseudo-random bytes to `path` in 8 MiB blocks (each block distinct). */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const block = pseudoRandom(8 * MiB, 7);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const stamp = new DataView(block.buffer);
  for (let off = 0, i = 0; off < size; off += block.length, i++) {
    stamp.setUint32(0, i); // makes every block's (and part's) MD5 distinct
    const n = Math.min(block.length, size - off);
    const chunk = block.subarray(0, n);
    let w = 0;
    while (w < n) w += await file.write(chunk.subarray(w));
  }
}

/**
 * Uploads a file with one PUT: the object gets a plain MD5 ETag. curl sends it
 * with a Content-Length; a chunked streaming body from `fetch` goes through
 * the fake server about 10× slower.
 */
export async function putFile(
  url: string,
  bucket: string,
  key: string,
  path: string,
): Promise<string> {
  await fetchOk(`${url}/${bucket}`, { method: "PUT" }).then((r) => r.body?.cancel());
  const r = await timed("curl", [
    "-sS",
    "--fail",
    "-H",
    "Expect:",
    "-T",
    path,
    "-D",
    "-",
    "-o",
    "/dev/null",
    `${url}/${bucket}/${key}`,
  ]);
  const etag = /^etag:\s*"?([^"\r\n]+)"?/im.exec(r.stdout)?.[1];
  if (etag === undefined) throw new Error(`no ETag in the PUT response: ${r.stdout}`);
  return etag;
}

/** Uploads a file as a multipart upload with `partSize` parts: the object gets a `<md5>-<n>` ETag. */
export async function putFileMultipart(
  url: string,
  bucket: string,
  key: string,
  path: string,
  partSize: number,
): Promise<string> {
  await fetchOk(`${url}/${bucket}`, { method: "PUT" }).then((r) => r.body?.cancel());
  const base = `${url}/${bucket}/${key}`;
  const created = await (await fetchOk(`${base}?uploads`, { method: "POST" })).text();
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  if (uploadId === undefined) throw new Error(`no UploadId in ${created}`);
  const size = (await Deno.stat(path)).size;
  const count = Math.ceil(size / partSize);
  const etags: string[] = [];
  let next = 0;
  const worker = async () => {
    using file = await Deno.open(path, { read: true });
    const buf = new Uint8Array(partSize);
    while (next < count) {
      const i = next++;
      const n = Math.min(partSize, size - i * partSize);
      await file.seek(i * partSize, Deno.SeekMode.Start);
      let r = 0;
      while (r < n) {
        const got = await file.read(buf.subarray(r, n));
        if (got === null) throw new Error(`${path} shrank`);
        r += got;
      }
      const q = `partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId)}`;
      const res = await fetchOk(`${base}?${q}`, { method: "PUT", body: buf.slice(0, n) });
      await res.body?.cancel();
      etags[i] = res.headers.get("etag") ?? "";
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const xml = `<CompleteMultipartUpload>${
    etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")
  }</CompleteMultipartUpload>`;
  const done = await (await fetchOk(`${base}?uploadId=${encodeURIComponent(uploadId)}`, {
    method: "POST",
    body: xml,
  })).text();
  const etag = /<ETag>([^<]+)<\/ETag>/.exec(done)?.[1]?.replaceAll("&quot;", "").replaceAll(
    '"',
    "",
  );
  if (etag === undefined) throw new Error(`multipart upload did not complete: ${done}`);
  return etag;
}

/**
 * A temp AWS CLI config (so the user's ~/.aws never matters) and the
 * environment to run `aws` with (the endpoint goes in `--endpoint-url`).
 */
export async function awsEnv(dir: string): Promise<Record<string, string>> {
  const config = `${dir}/aws_config`;
  await Deno.writeTextFile(config, "[default]\nregion = us-east-1\n");
  const credentials = `${dir}/aws_credentials`;
  await Deno.writeTextFile(credentials, "");
  return {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_PAGER: "",
  };
}

/**
 * Environment for a vc CLI child: the server's endpoint and credentials, a
 * config dir with no config file, and the given settings.
 */
export function vcEnv(
  server: FakeServer,
  configHome: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...server.env,
    XDG_CONFIG_HOME: configHome,
    NO_COLOR: "1",
    ...extra,
  };
}

/**
 * The warm `vc path` benchmarks' project: `/some/asset.bin` at 1.0.0 in a
 * 4 KiB object of the server's `assets` bucket (created by the caller), a
 * `DIR/project` directory holding its `versioned_assets.json`, and the
 * environment that points vc at the bucket with `DIR/cache` as the cache.
 */
export async function warmAssetProject(
  server: FakeServer,
  dir: string,
): Promise<{ project: string; cacheDir: string; env: Record<string, string> }> {
  await putObjects(server.url, "assets", ["some/asset.1.0.0.bin"], 4 * KiB);
  const project = `${dir}/project`;
  await Deno.mkdir(project);
  await Deno.writeTextFile(
    `${project}/versioned_assets.json`,
    JSON.stringify({ "/some/asset.bin": "1.0.0" }, null, 4) + "\n",
  );
  const cacheDir = `${dir}/cache`;
  return {
    project,
    cacheDir,
    env: vcEnv(server, dir, { VC_BUCKET: "s3://assets", VC_CACHE_DIR: cacheDir }),
  };
}

const AWS_SDK_FILE = /@aws-sdk\/[^"]*\.[cm]?js"/;

/**
 * How many AWS SDK module files `deno <args>` opens (counted with strace), or
 * `undefined` where strace is not installed: the check that a code path runs
 * without loading the SDK.
 */
export async function awsSdkFilesOpened(
  args: readonly string[],
  opts: TimedOptions & { traceFile: string },
): Promise<number | undefined> {
  try {
    await timed(
      "strace",
      ["-f", "-qq", "-e", "trace=open,openat", "-o", opts.traceFile, Deno.execPath(), ...args],
      opts,
    );
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined; // no strace here
    throw e;
  }
  const lines = (await Deno.readTextFile(opts.traceFile)).split("\n");
  return lines.filter((l) => AWS_SDK_FILE.test(l) && !l.includes("ENOENT")).length;
}
