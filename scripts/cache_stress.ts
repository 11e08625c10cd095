/**
 * A bounded crash-and-concurrency stress run of the asset cache across
 * processes, against the in-process fake S3 with injected faults.
 *
 *     deno run -A scripts/cache_stress.ts [--procs 4] [--kill-rounds 3] [--seed 1] [--big]
 *
 * Each round uses a fresh cache directory and runs `--procs` processes over
 * overlapping, shuffled lists of the same objects: `vc prefill --list`,
 * `vc cache get` of a few URIs, and library children
 * (tests/fixtures/cache_child.ts) with a small parallel threshold, so
 * objects above it take ranged GETs. GETs are answered corrupt, cut short,
 * reset or with a 500 at the given rates. The first round kills nobody; the
 * next ones kill some processes with SIGKILL at random moments. After each:
 *
 * - a later `vc prefill` of everything completes without waiting for a lock;
 * - `vc cache verify` is clean, and then no vc temp file is left;
 * - every data file hashes to its object's MD5, and `vc cache ls` lists
 *   exactly the data files;
 * - with nobody killed: each object's download started once (one GET
 *   without `If-Match` or `Range` that was not a 500), unless a process
 *   reported it failed.
 *
 * Prints one JSON line per round and exits 1 when a check failed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { md5Hex } from "../src/hash.ts";
import { seededRandom } from "../src/testing/fake_s3/faults.ts";
import { type RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";

const args = parseArgs({
  options: {
    procs: { type: "string", default: "4" },
    "kill-rounds": { type: "string", default: "3" },
    seed: { type: "string", default: "1" },
    big: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
}).values;
const PROCS = Number(args.procs);
const KILL_ROUNDS = Number(args["kill-rounds"]);
const SEED = Number(args.seed);
const random = seededRandom(SEED);
const KiB = 1024;
const MiB = 1024 * KiB;
const ROOT = new URL("..", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;
const CHILD = `${ROOT}tests/fixtures/cache_child.ts`;
const CONFIG = `${ROOT}deno.json`;
const WORK = await Deno.makeTempDir({ prefix: "vc-stress-" });
const TIME_LIMIT_MS = 120_000; // per process: every wait bounded

const killPlan = new Map<string, { k: number; kill: () => void }>();
const log: (RequestLogEntry & { round: number; t: number })[] = [];
let round = 0;
await using s3 = await startFakeS3({
  buckets: ["b"],
  minPartSize: 64 * KiB,
  onRequest: (e) => {
    log.push({ ...e, round, t: Math.round(performance.now()) });
    if (e.op !== "GetObject") return;
    // A planned kill: at this process's k-th GET, while its body is on the way.
    const who = /Credential=([^/]+)/.exec(e.headers["authorization"] ?? "")?.[1] ?? "";
    const plan = killPlan.get(who);
    if (plan !== undefined && --plan.k === 0) plan.kill();
  },
});

// The objects: small (one GET), medium (above the children's 256 KiB
// threshold: ranged GETs), multipart (a `-N` ETag), an empty one, and with
// --big two above the CLI's 32 MiB threshold.
const objects = new Map<string, string>(); // key -> md5 of its content
function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 256) | 0;
  return out;
}
for (let i = 0; i < 24; i++) {
  const data = bytes(1 + Math.floor(random() * 96 * KiB));
  const key = `small/d${i % 3}/o${i}.bin`;
  await s3.putObject("b", key, data);
  objects.set(key, md5Hex(data));
}
await s3.putObject("b", "small/empty.bin", new Uint8Array(0));
objects.set("small/empty.bin", md5Hex(new Uint8Array(0)));
for (let i = 0; i < 6; i++) {
  const data = bytes(300 * KiB + Math.floor(random() * 1700 * KiB));
  const key = `medium/m${i}.bin`;
  await s3.putObject("b", key, data);
  objects.set(key, md5Hex(data));
}
{
  const store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 128 * KiB,
    partSize: 64 * KiB,
  });
  for (let i = 0; i < 3; i++) {
    const data = bytes(700 * KiB + i * 100 * KiB);
    await store.put(`multi/p${i}.bin`, data);
    objects.set(`multi/p${i}.bin`, md5Hex(data));
  }
  await store.close();
}
if (args.big) {
  for (let i = 0; i < 2; i++) {
    const data = bytes(33 * MiB + i * 4096);
    await s3.putObject("b", `big/g${i}.bin`, data);
    objects.set(`big/g${i}.bin`, md5Hex(data));
  }
}
const keys = [...objects.keys()];
const uri = (key: string) => `s3://b/${key}`;

const env = (cacheDir: string, who: string): Record<string, string> => ({
  HOME: `${WORK}/home`,
  XDG_CACHE_HOME: `${WORK}/home/.cache`,
  XDG_CONFIG_HOME: `${WORK}/home/.config`,
  VC_CACHE_DIR: cacheDir,
  AWS_ENDPOINT_URL: s3.url,
  AWS_ACCESS_KEY_ID: who,
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
  VC_LOCK_WAIT: "30",
  NO_COLOR: "1",
  DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
});

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Run {
  name: string;
  child: Deno.ChildProcess;
  killed: boolean;
  result?: { code: number; stdout: string; stderr: string };
}

/** The access key a process of this round signs with: how the server tells them apart. */
function whoOf(name: string): string {
  return `${name.replace(/\W/g, "")}r${round}`;
}

/**
 * Starts a process in a process group of its own (`setsid`), so that a kill
 * reaches the `vc` processes a wrapper (`deno eval`) started too.
 */
function spawn(name: string, argv: string[], cacheDir: string): Run {
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), ...argv],
    env: env(cacheDir, whoOf(name)),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { name, child, killed: false };
}

function vc(...rest: string[]): string[] {
  return ["run", "-A", "--no-prompt", `--config=${CONFIG}`, CLI, ...rest];
}

async function finish(run: Run): Promise<void> {
  const timer = setTimeout(() => {
    try {
      Deno.kill(-run.child.pid, "SIGKILL"); // its group
    } catch { /* exited */ }
  }, TIME_LIMIT_MS);
  const out = await run.child.output();
  clearTimeout(timer);
  const d = new TextDecoder();
  run.result = { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** The processes of one round, over overlapping lists. */
async function startRound(cacheDir: string): Promise<Run[]> {
  const runs: Run[] = [];
  for (let p = 0; p < PROCS; p++) {
    // Each takes ~70% of the objects, in its own order.
    const mine = shuffled(keys).filter(() => random() < 0.7);
    const kind = p % 3;
    if (kind === 0) {
      const list = `${WORK}/list-${round}-${p}.txt`;
      await Deno.writeTextFile(list, mine.map(uri).join("\n") + "\n");
      runs.push(spawn(`prefill#${p}`, vc("prefill", "--list", list), cacheDir));
    } else if (kind === 1) {
      const config = {
        cacheDir,
        endpoint: s3.url,
        accessKeyId: whoOf(`child#${p}`),
        uris: mine.map(uri),
        download: { parallelThreshold: 256 * KiB, partSize: 64 * KiB, concurrency: 4 },
      };
      runs.push(spawn(
        `child#${p}`,
        ["run", "-A", "--no-prompt", `--config=${CONFIG}`, CHILD, JSON.stringify(config)],
        cacheDir,
      ));
    } else {
      // `vc cache get` of a few URIs, one process each (one after the other).
      const few = mine.slice(0, 4).map(uri);
      runs.push(spawn(
        `cache-get#${p}`,
        [
          "eval",
          `for (const u of ${JSON.stringify(few)}) { const c = new Deno.Command(Deno.execPath(), ` +
          `{ args: ${JSON.stringify(vc("cache", "get"))}.concat([u]), stdout: "null" }); ` +
          `const o = await c.output(); if (o.code !== 0) Deno.exitCode = o.code; }`,
        ],
        cacheDir,
      ));
    }
  }
  // And a `vc cache verify` meanwhile, twice (it sweeps debris and may
  // remove copies while downloads run).
  runs.push(spawn(
    "verify-during",
    [
      "eval",
      `for (let i = 0; i < 2; i++) { await new Promise((r) => setTimeout(r, 300)); ` +
      `const o = await new Deno.Command(Deno.execPath(), { args: ${
        JSON.stringify(vc("cache", "verify"))
      }, stdout: "null", stderr: "inherit" }).output(); if (o.code !== 0) Deno.exitCode = o.code; }`,
    ],
    cacheDir,
  ));
  return runs;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return out; // not made (yet)
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const problems: string[] = [];
/** "<key> <who>" -> when that process first asked for that key (ms, this process's clock). */
const firstStart = new Map<string, number>();
/** who -> when it was killed. */
const killedAt = new Map<string, number>();
const fail = (m: string) => problems.push(`round ${round}: ${m}`);

async function checkCache(cacheDir: string): Promise<Record<string, unknown>> {
  // What the round left (killed downloads' temp files: swept by the next
  // download in their directory, or by verify/prune).
  const tempBefore = walk(cacheDir).filter((p) => p.includes(".vc-tmp-")).length;
  // A later run: everything cached (or downloaded) without waiting for a lock.
  const t0 = performance.now();
  const list = `${WORK}/all.txt`;
  await Deno.writeTextFile(list, keys.map(uri).join("\n") + "\n");
  const later = spawn("later", vc("prefill", "--list", list), cacheDir);
  await finish(later);
  const laterMs = Math.round(performance.now() - t0);
  if (later.result!.code !== 0) {
    fail(`later prefill exited ${later.result!.code}: ${later.result!.stderr}`);
  }
  if (/waiting for/.test(later.result!.stderr)) {
    fail(`later prefill waited: ${later.result!.stderr}`);
  }
  if (laterMs > 20_000) fail(`later prefill took ${laterMs} ms`);
  const verify = spawn("verify", vc("cache", "verify", "--json"), cacheDir);
  await finish(verify);
  if (verify.result!.code !== 0) {
    fail(
      `cache verify exited ${verify.result!.code}: ${verify.result!.stdout} ${
        verify.result!.stderr
      }`,
    );
  }
  const files = walk(cacheDir);
  const temps = files.filter((p) => p.includes(".vc-tmp-"));
  if (temps.length > 0) fail(`temp files after verify: ${temps.join(", ")}`);
  const data = files.filter((p) => !p.includes("/.meta/") && !p.includes(".vc-tmp-"));
  const ls = spawn("ls", vc("cache", "ls", "--json"), cacheDir);
  await finish(ls);
  const listed = JSON.parse(ls.result!.stdout) as unknown;
  const entries = (Array.isArray(listed) ? listed : (listed as { entries: unknown[] }).entries) as {
    uri: string;
    path: string;
  }[];
  const listedPaths = new Set(entries.map((e) => e.path));
  for (const p of data) if (!listedPaths.has(p)) fail(`data file not listed: ${p}`);
  for (const e of entries) {
    if (!data.includes(e.path)) fail(`listed, no file: ${e.uri} ${e.path}`);
    const key = e.uri.replace("s3://b/", "");
    const want = objects.get(key);
    const got = md5Hex(await Deno.readFile(e.path));
    if (got !== want) fail(`${e.uri}: md5 ${got}, expected ${want}`);
  }
  if (entries.length !== keys.length) fail(`ls lists ${entries.length} of ${keys.length}`);
  return { laterMs, tempBefore, dataFiles: data.length, listed: entries.length };
}

/**
 * Whether `who` had given up downloading `key` before `before`: as many
 * corrupt answers as the downloader's attempts (an IntegrityError), which a
 * killed process never got to report.
 */
function gaveUp(r: number, key: string, who: string, before: number): boolean {
  let corrupt = 0;
  for (const e of log) {
    if (e.round !== r || e.op !== "GetObject" || e.t > before) continue;
    if (keyOf(e) !== key || whoOfEntry(e) !== who) continue;
    if (e.fault === "corrupt") corrupt++;
  }
  return corrupt >= DOWNLOAD_ATTEMPTS;
}

// The downloader's attempts at content that fails its check (its default).
const DOWNLOAD_ATTEMPTS = 3;

function keyOf(e: RequestLogEntry): string {
  return decodeURIComponent(e.path.split("?")[0]!.replace(/^\/b\//, ""));
}

function whoOfEntry(e: RequestLogEntry): string {
  return /Credential=([^/]+)/.exec(e.headers["authorization"] ?? "")?.[1] ?? "?";
}

/**
 * Per key, the processes (access keys) that started downloading it in this
 * round: GETs without If-Match or Range that were not a 500. (A process's
 * own retries of a GET whose body broke are one process.)
 */
function starts(r: number): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  firstStart.clear();
  for (const e of log) {
    if (e.round !== r || e.op !== "GetObject") continue;
    if (e.headers["if-match"] !== undefined || e.headers["range"] !== undefined) continue;
    if (e.status >= 500) continue;
    const key = keyOf(e);
    const who = whoOfEntry(e);
    const at = e.t - e.ms; // when the request arrived
    const k = `${key} ${who}`;
    if (!firstStart.has(k) || firstStart.get(k)! > at) firstStart.set(k, at);
    const set = out.get(key) ?? new Set<string>();
    set.add(who);
    out.set(key, set);
  }
  return out;
}

const FAULTS = {
  corruptRate: 0.08,
  truncateRate: 0.05,
  resetRate: 0.04,
  errorRate: 0.04,
  latencyMs: 15,
};

try {
  for (round = 0; round <= KILL_ROUNDS; round++) {
    s3.faults = { ...FAULTS, seed: SEED * 100 + round };
    const cacheDir = `${WORK}/cache-${round}`;
    const t0 = performance.now();
    const runs = await startRound(cacheDir);
    const kills: string[] = [];
    const killTimers: ReturnType<typeof setTimeout>[] = [];
    if (round > 0) {
      // Kill about half of them: at their k-th GET (mid-body), or at a
      // random moment in their first 2 s.
      for (const run of runs) {
        if (random() >= 0.5) continue;
        const kill = (how: string) => {
          try {
            Deno.kill(-run.child.pid, "SIGKILL"); // its group
            run.killed = true;
            killedAt.set(whoOf(run.name), performance.now());
            kills.push(`${run.name}@${how}`);
          } catch { /* exited already */ }
        };
        if (random() < 0.7 && !run.name.startsWith("cache-get")) {
          const k = 1 + Math.floor(random() * 12);
          killPlan.set(whoOf(run.name), { k, kill: () => kill(`GET#${k}`) });
        } else {
          const at = 150 + Math.floor(random() * 1850);
          killTimers.push(setTimeout(() => kill(`${at}ms`), at));
        }
      }
    }
    await Promise.all(runs.map(finish));
    killTimers.forEach(clearTimeout);
    killPlan.clear();
    const roundMs = Math.round(performance.now() - t0);
    // Failures a process reported (not killed): allowed only as integrity
    // errors (corrupt answers for every attempt at one object).
    const failedKeys = new Set<string>();
    const exits: string[] = [];
    const reasons: string[] = [];
    const excused: string[] = [];
    for (const run of runs) {
      if (run.killed) continue;
      const { code, stdout, stderr } = run.result!;
      exits.push(`${run.name}:${code}`);
      if (code !== 0) {
        reasons.push(
          ...stderr.split("\n").filter((l) => /^vc|error/i.test(l)).map((l) => l.slice(0, 300)),
        );
      }
      for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const l = JSON.parse(line) as { uri?: string; error?: string; message?: string };
        if (l.error !== undefined) {
          failedKeys.add(l.uri!.replace("s3://b/", ""));
          if (l.error !== "IntegrityError") fail(`${run.name}: ${l.uri}: ${l.error} ${l.message}`);
        }
      }
      for (const m of stderr.matchAll(/s3:\/\/b\/(\S+?)[:\s]/g)) {
        if (/IntegrityError|does not match|after \d attempts|came 2 times/.test(stderr)) {
          failedKeys.add(m[1]!);
        }
      }
      if (code !== 0 && !/does not match|after \d attempts|came 2 times/.test(stderr)) {
        fail(`${run.name} exited ${code}: ${stderr.slice(0, 2000)}`);
      }
    }
    const got = starts(round);
    const faults = log.filter((e) => e.round === round && e.fault !== undefined);
    const gets = log.filter((e) => e.round === round && e.op === "GetObject").length;
    let multi: string[] = [];
    // Only a killed process's download may be done again by another: among
    // the processes that lived, each object was downloaded by one at most.
    const killed = new Set(runs.filter((r) => r.killed).map((r) => whoOf(r.name)));
    multi = [...got].filter(([k, n]) =>
      [...n].filter((who) => !killed.has(who)).length > 1 && !failedKeys.has(k)
    ).map(([k, n]) => `${k} by ${[...n].join(",")}`);
    if (multi.length > 0) {
      fail(`downloaded by more than one process that lived: ${multi.join(" ")}`);
    }
    // A process that lived took over a killed one's download only once it
    // was dead (never while both were at it), and never the other way round.
    for (const [key, who] of got) {
      if (failedKeys.has(key)) continue;
      const lived = [...who].filter((w) => !killed.has(w));
      for (const dead of [...who].filter((w) => killed.has(w))) {
        for (const live of lived) {
          const liveAt = firstStart.get(`${key} ${live}`)!;
          const deadAt = firstStart.get(`${key} ${dead}`)!;
          const overlap = liveAt < deadAt || liveAt < killedAt.get(dead)!;
          if (overlap && gaveUp(round, key, dead, liveAt)) {
            excused.push(`${key}: ${dead} gave up before ${live} started`);
          } else if (overlap) {
            fail(
              `${key}: ${live} started at ${liveAt}, ${dead} at ${deadAt}, killed at ${
                Math.round(killedAt.get(dead)!)
              }`,
            );
          }
        }
      }
    }
    s3.clearFaults(); // the checks see the store as it is
    const checks = await checkCache(cacheDir);
    console.log(JSON.stringify({
      round,
      roundMs,
      kills,
      exits,
      gets,
      starts: [...got.values()].reduce((a, b) => a + b.size, 0),
      doubleStarts: [...got].filter(([, n]) => n.size > 1).length,
      faults: Object.fromEntries(
        ["corrupt", "truncate", "reset", "internal"].map((k) => [
          k,
          faults.filter((e) => e.fault === k).length,
        ]),
      ),
      failedKeys: [...failedKeys],
      reasons,
      excused,
      ...checks,
    }));
  }
} finally {
  // A failed check keeps what it needs to be looked into.
  if (args.keep || problems.length > 0) {
    await Deno.writeTextFile(
      `${WORK}/requests.jsonl`,
      log.map((e) => JSON.stringify(e)).join("\n"),
    );
  }
  if (!args.keep && problems.length === 0) {
    await Deno.remove(WORK, { recursive: true }).catch(() => {});
  } else console.log(`kept ${WORK} (requests.jsonl: the fake's log)`);
}
if (problems.length > 0) {
  console.log(problems.join("\n"));
  Deno.exitCode = 1;
} else {
  console.log("all checks held");
}
