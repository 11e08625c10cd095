/**
 * The cache service (`vc serve`, a child process with the release
 * permissions) over the fake S3 server (another process, disk backend),
 * against direct requests to the same fake S3:
 *
 * 1. The KBase stress test, bounded: `--ids` cache IDs, uploads, downloads
 *    and deletes of small files with `--concurrency` clients; requests/s and
 *    p50/p99 per phase, next to the same number of direct PUT/PUT/GET/DELETE
 *    requests to the fake S3 and the floor (the service's store requests
 *    sent straight to the store), each phase of the three interleaved, in
 *    `--rounds` rounds; medians, each round's ratio and the load after it.
 *    Goal: total time ≤ 2× direct.
 * 2. One big file (`--size-mib`, default 1024; 256 with `--quick`) uploaded
 *    (curl -F, streamed multipart) and downloaded through a fresh service vs
 *    curl -T / curl -o straight to the fake S3, in `--rounds` rounds (default
 *    3, 1 with `--quick`) of alternating order, and uploaded once more per
 *    round without a Content-Length (chunked); ratios of the medians. Goals:
 *    throughput ≥ 0.7× direct each way, the chunked upload's service CPU
 *    per GiB ≤ 2× the upload with a length's, and the service's peak RSS
 *    (VmHWM) < 256 MiB. The service's CPU seconds per GiB (by thread too) and the
 *    load average are printed: on a busy machine they say more than
 *    throughput ratios.
 *
 *     deno run -A scripts/bench/server.ts [--quick] [--ids 1000] [--concurrency 64] [--size-mib 1024] [--rounds 3] [--cpu-prof DIR]
 *
 * `--ids 0` or `--size-mib 0` skips a part. `--cpu-prof DIR` runs each
 * service with V8's sampling profiler, writing `DIR/*.cpuprofile`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  FakeServer,
  fmtNum,
  mbps,
  median,
  MiB,
  Report,
  tempDir,
  timed,
  vcArgs,
  writeRandomFile,
} from "./lib.ts";

const BUCKET = "svc";

interface Args {
  quick: boolean;
  results: string | undefined;
  ids: number;
  concurrency: number;
  sizeMib: number;
  rounds: number;
  cpuProf: string | undefined;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean" },
      results: { type: "string" },
      ids: { type: "string" },
      concurrency: { type: "string" },
      "size-mib": { type: "string" },
      rounds: { type: "string" },
      "cpu-prof": { type: "string" },
    },
  });
  const quick = values.quick ?? false;
  return {
    quick,
    results: values.results,
    ids: Number(values.ids ?? (quick ? 200 : 1000)),
    concurrency: Number(values.concurrency ?? 64),
    sizeMib: Number(values["size-mib"] ?? (quick ? 256 : 1024)),
    rounds: Math.max(1, Number(values.rounds ?? (quick ? 1 : 3))),
    cpuProf: values["cpu-prof"],
  };
}

/** Runs `fn` for 0..n-1 with `limit` at once; returns each call's latency (ms). */
async function load(n: number, limit: number, fn: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      await fn(i);
      latencies.push(performance.now() - t);
    }
  }));
  const ms = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * n))]!;
  return { ms, rps: n / (ms / 1000), p50: pct(0.5), p99: pct(0.99) };
}

type Phase = Awaited<ReturnType<typeof load>>;

function fmtPhase(name: string, p: Phase): string {
  return `${name.padEnd(9)} ${fmtNum(p.rps).padStart(6)} req/s  p50 ${fmtNum(p.p50)} ms  p99 ${
    fmtNum(p.p99)
  } ms`;
}

async function expectOk(res: Response, what: string): Promise<void> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 200)}`);
}

interface Service extends AsyncDisposable {
  url: string;
  pid: number;
}

async function startService(
  s3: FakeServer,
  dir: string,
  tokenFile: string,
  cpuProf: string | undefined,
): Promise<Service> {
  const args = vcArgs(
    "serve",
    "--store",
    `s3://${BUCKET}/cache`,
    "--token-file",
    tokenFile,
    "--port",
    "0",
    "--max-upload-bytes",
    "2GiB",
    "--sweep-interval",
    "0",
  );
  if (cpuProf !== undefined) args.splice(1, 0, "--cpu-prof", `--cpu-prof-dir=${cpuProf}`);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
    env: { ...s3.env, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null", // one JSON line per request: not part of the measurement
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("vc serve exited early");
    out += value;
  }
  const url = /listening on (\S+)/.exec(out)?.[1];
  if (url === undefined) throw new Error(`unexpected vc serve output: ${out}`);
  return {
    url,
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 (1-based) of the whole line.
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** Peak resident set size of a process (VmHWM), in MiB. */
async function peakRssMib(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? "NaN");
  return kib / 1024;
}

async function main(): Promise<void> {
  const args = parse(Deno.args);
  const report = new Report("server");
  report.info(`load average: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  await using tmp = await tempDir("server");
  await using s3 = await FakeServer.start({ dir: `${tmp.path}/s3`, buckets: [BUCKET] });
  const tokenFile = `${tmp.path}/tokens.json`;
  const added = await timed(
    Deno.execPath(),
    vcArgs("serve", "add-token", "bench", "--token-file", tokenFile),
  );
  const token = added.stdout.trim();
  const auth = { authorization: token };

  // --- 1. the bounded KBase stress test (--ids 0 skips it) -----------------
  const n = args.ids;
  if (n > 0) {
    await using service = await startService(s3, tmp.path, tokenFile, args.cpuProf);
    await stress(report, service, s3, auth, n, args.concurrency, args.rounds);
    report.info(
      `service peak RSS after the stress test: ${fmtNum(await peakRssMib(service.pid))} MiB`,
    );
  }
  // --- 2. one big file, on a fresh service so its RSS is the file's alone ---
  if (args.sizeMib > 0) {
    await using service = await startService(s3, tmp.path, tokenFile, args.cpuProf);
    await bigFile(report, service, s3, tmp.path, token, args.sizeMib, args.rounds);
  }
  await report.finish({ quick: args.quick, results: args.results });
}

/** CPU seconds of the service, the fake S3 and this process (the clients). */
async function cpuOf(service: Service, s3: FakeServer): Promise<number[]> {
  return await Promise.all([service.pid, s3.child.pid, Deno.pid].map(cpuSeconds));
}

/** A phase with the CPU seconds each process spent and the store requests it took. */
type Measured = Phase & { cpu: number[]; storeRequests: number };
type Phases = Record<"id" | "upload" | "download" | "delete", Measured>;

const PHASES = ["id", "upload", "download", "delete"] as const;
type Runs = Record<keyof Phases, (i: number) => Promise<void>>;

/** Runs one phase: its latencies, the CPU seconds each process spent, its store requests. */
async function measure(
  service: Service,
  s3: FakeServer,
  n: number,
  c: number,
  fn: (i: number) => Promise<void>,
): Promise<Measured> {
  await s3.reset();
  const before = await cpuOf(service, s3);
  const phase = await load(n, c, fn);
  const after = await cpuOf(service, s3);
  const storeRequests = (await s3.stats()).total;
  return { ...phase, cpu: after.map((x, k) => x - before[k]!), storeRequests };
}

/**
 * Runs the phases of each variant interleaved (id of each, then upload of
 * each, ...), so a change in machine load hits every variant alike.
 */
async function interleaved(
  service: Service,
  s3: FakeServer,
  n: number,
  c: number,
  variants: [Runs, Runs, Runs],
): Promise<[Phases, Phases, Phases]> {
  const out: [Phases, Phases, Phases] = [{} as Phases, {} as Phases, {} as Phases];
  for (const [j, name] of PHASES.entries()) {
    // The first run after a phase change pays for the fake S3's garbage of
    // the previous one: a pause, and each variant goes first in turn.
    for (let r = 0; r < variants.length; r++) {
      const k = (j + r) % variants.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      out[k]![name] = await measure(service, s3, n, c, variants[k]![name]);
    }
  }
  return out;
}

function totalMs(p: Phases): number {
  return Object.values(p).reduce((s, x) => s + x.ms, 0);
}

async function stress(
  report: Report,
  service: Service,
  s3: FakeServer,
  auth: { authorization: string },
  n: number,
  c: number,
  rounds: number,
): Promise<void> {
  const ids: string[] = new Array(n);
  // Every round works on keys and cache IDs of its own: each round then
  // creates what the first one does (no round reuses another's objects).
  let round = 0;
  const small = (i: number) => new TextEncoder().encode(`result ${i}\n`.repeat(32));
  const viaRuns: Runs = {
    id: async (i) => {
      const res = await fetch(`${service.url}/v1/cache_id`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ job: "bench", round, i }),
      });
      ids[i] = (await res.json()).cache_id;
    },
    upload: async (i) => {
      const form = new FormData();
      form.append("file", new Blob([small(i)]), `r${i}.txt`);
      await expectOk(
        await fetch(`${service.url}/v1/cache/${ids[i]}`, {
          method: "POST",
          headers: auth,
          body: form,
        }),
        "upload",
      );
    },
    download: async (i) => {
      await expectOk(
        await fetch(`${service.url}/v1/cache/${ids[i]}`, { headers: auth }),
        "download",
      );
    },
    delete: async (i) => {
      await expectOk(
        await fetch(`${service.url}/v1/cache/${ids[i]}`, { method: "DELETE", headers: auth }),
        "delete",
      );
    },
  };
  const base = `${s3.url}/${BUCKET}/direct`;
  const directRuns: Runs = {
    id: async (i) => {
      await expectOk(await fetch(`${base}/m${round}-${i}`, { method: "PUT", body: "{}" }), "put");
    },
    upload: async (i) => {
      await expectOk(
        await fetch(`${base}/d${round}-${i}`, { method: "PUT", body: small(i) }),
        "put",
      );
    },
    download: async (i) => {
      await expectOk(await fetch(`${base}/d${round}-${i}`), "get");
    },
    delete: async (i) => {
      await expectOk(await fetch(`${base}/d${round}-${i}`, { method: "DELETE" }), "delete");
    },
  };
  // The floor of a service that keeps an entry as a metadata object plus a
  // data object: the store requests vc serve makes, sent straight to the
  // store by the clients (no service in between, no signing).
  const floorBase = `${s3.url}/${BUCKET}/floor`;
  const etags: string[] = new Array(n);
  const meta = (i: number, file: boolean) =>
    JSON.stringify({
      owner: "token-file:bench",
      filename: file ? `r${i}.txt` : "placeholder",
      expiresAt: Date.now() + 7 * 86_400_000,
      size: file ? 352 : 0,
      ...(file
        ? { dataKey: `data/${round}-${i}/0`, etag: "0".repeat(32), uploadedAt: Date.now() }
        : {}),
    });
  const putMeta = async (i: number, file: boolean, condition: Record<string, string>) => {
    const res = await fetch(`${floorBase}/meta/${round}-${i}.json`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...condition },
      body: meta(i, file),
    });
    await expectOk(res, "put meta");
    etags[i] = res.headers.get("etag")!;
  };
  const getMeta = async (i: number) =>
    await expectOk(await fetch(`${floorBase}/meta/${round}-${i}.json`), "get meta");
  const floorRuns: Runs = {
    id: (i) => putMeta(i, false, { "if-none-match": "*" }),
    upload: async (i) => {
      // The service remembers the version it wrote at cache_id: no read.
      await expectOk(
        await fetch(`${floorBase}/data/${round}-${i}/0`, { method: "PUT", body: small(i) }),
        "put data",
      );
      await putMeta(i, true, { "if-match": etags[i]! });
    },
    download: async (i) => {
      // The service knows the data key from the upload: both reads at once.
      await Promise.all([
        getMeta(i),
        fetch(`${floorBase}/data/${round}-${i}/0`).then((r) => expectOk(r, "get data")),
      ]);
    },
    delete: async (i) => {
      await getMeta(i);
      const res = await fetch(`${floorBase}/meta/${round}-${i}.json`, {
        method: "DELETE",
        headers: { "if-match": etags[i]! },
      });
      await expectOk(res, "delete meta");
      await expectOk(
        await fetch(`${floorBase}/data/${round}-${i}/0`, { method: "DELETE" }),
        "delete data",
      );
    },
  };
  // Warm-up (JIT of the service and the fake S3; connections), not counted.
  const runs: [Runs, Runs, Runs] = [viaRuns, directRuns, floorRuns];
  await interleaved(service, s3, Math.min(n, 200), c, runs);
  round++;
  const results: [Phases, Phases, Phases][] = [];
  const loads: string[] = [];
  for (let r = 0; r < Math.max(1, rounds); r++) {
    results.push(await interleaved(service, s3, n, c, runs));
    round++;
    loads.push(Deno.loadavg()[0]!.toFixed(1));
  }
  const mid = (k: number, phase: keyof Phases) => {
    const runsOf = results.map((x) => x[k]![phase]);
    const ms = median(runsOf.map((p) => p.ms));
    // The round whose time is the median, for its latencies and CPU.
    return runsOf.reduce((best, p) => Math.abs(p.ms - ms) < Math.abs(best.ms - ms) ? p : best);
  };
  report.info(
    `${n} ids, uploads, downloads, deletes; ${c} concurrent clients; ${results.length} rounds, medians (1-min load after each round: ${
      loads.join(", ")
    })`,
  );
  report.info(
    "cpu: seconds of the service / fake S3 / clients; floor: the service's store requests sent straight to the store",
  );
  const cpu = (p: Measured) =>
    `  ${fmtNum(p.storeRequests / n)} store req each, cpu ${
      p.cpu.map((x) => fmtNum(x)).join(" / ")
    }`;
  for (const phase of PHASES) {
    report.info(`service ${fmtPhase(phase, mid(0, phase))}${cpu(mid(0, phase))}`);
    report.info(`floor   ${fmtPhase(phase, mid(2, phase))}${cpu(mid(2, phase))}`);
    report.info(`direct  ${fmtPhase(phase, mid(1, phase))}${cpu(mid(1, phase))}`);
  }
  // Ratios per round (service and direct ran side by side), then their median.
  const perRound = results.map(([via, direct, floor]) => ({
    via: totalMs(via),
    direct: totalMs(direct),
    floor: totalMs(floor),
  }));
  const ratio = median(perRound.map((x) => x.via / x.direct));
  report.info(
    `service / direct per round: ${
      perRound.map((x) => fmtNum(x.via / x.direct)).join(", ")
    }; floor / direct: ${perRound.map((x) => fmtNum(x.floor / x.direct)).join(", ")}`,
  );
  report.info(
    `limit: the same store requests without the service take ${
      fmtNum(median(perRound.map((x) => x.floor / x.direct)))
    }× direct; the service adds ${fmtNum(median(perRound.map((x) => x.via / x.floor)))}× over that`,
  );
  const viaMs = median(perRound.map((x) => x.via));
  const directMs = median(perRound.map((x) => x.direct));
  report.goal(
    "stress total time vs direct S3",
    ratio,
    "×",
    "<=",
    2,
    `service ${fmtNum((4 * n) / (viaMs / 1000))} req/s, direct ${
      fmtNum((4 * n) / (directMs / 1000))
    } req/s (medians; load ${loads.join(", ")})`,
  );
}

/**
 * Writes dirty pages out (`sync`), so each timed upload starts with the
 * disk in the same state instead of paying for the previous one's writeback.
 */
async function flushDisk(): Promise<void> {
  await new Deno.Command("sync").output().catch(() => {});
}

/**
 * The upload floor of the service's store path: the file as a stream into
 * `S3Store.put` (multipart parts of unknown total size, as the service
 * sends an upload it is still receiving), in this process.
 */
async function storePutFloor(s3: FakeServer, src: string): Promise<{ ms: number }> {
  const { S3Store } = await import("../../src/store/s3.ts");
  const store = new S3Store({
    bucket: BUCKET,
    prefix: "floor",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    // Not timed: the first multipart upload of a process loads the AWS SDK
    // (the service loaded it at its first request).
    await store.put("warm.bin", ReadableStream.from([new Uint8Array(17 * MiB)]));
    await flushDisk();
    using file = await Deno.open(src);
    // 256 KiB blocks, as the service's multipart reader hands them on.
    const blocks = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const block = new Uint8Array(256 * 1024);
        let filled = 0;
        while (filled < block.length) {
          const n = await file.read(block.subarray(filled));
          if (n === null) break;
          filled += n;
        }
        if (filled > 0) controller.enqueue(block.subarray(0, filled));
        if (filled < block.length) controller.close();
      },
    }, { highWaterMark: 0 });
    const started = performance.now();
    await store.put("big.bin", blocks);
    return { ms: performance.now() - started };
  } finally {
    await store.close();
  }
}

/** CPU seconds of each thread of a process, summed by thread name (`comm`). */
async function threadCpu(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    try {
      const stat = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/stat`);
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
      out.set(name, (out.get(name) ?? 0) + cpu);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/**
 * `name a.b s, other c.d s` for the threads that used CPU between two
 * snapshots, per GiB; `total` (the process's) shows what threads that ended
 * meanwhile used.
 */
function fmtThreadCpu(
  before: Map<string, number>,
  after: Map<string, number>,
  total: number,
  gib: number,
): string {
  const threads = [...after].map(([name, cpu]) => [name, cpu - (before.get(name) ?? 0)] as const);
  const ended = total - threads.reduce((sum, [, cpu]) => sum + cpu, 0);
  return [...threads, ["threads that ended", ended] as const]
    .map(([name, cpu]) => [name, cpu / gib] as const)
    .filter(([, cpu]) => cpu >= 0.01).sort((a, b) => b[1] - a[1])
    .map(([name, cpu]) => `${name} ${fmtNum(cpu)} s`).join(", ");
}

const loadavg = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");

/**
 * One big file up and down, through the service and directly, in `rounds`
 * rounds whose order alternates (a change of machine load hits both
 * sides alike); ratios of the medians. The service's CPU per GiB (all its
 * threads, and by thread) and peak RSS.
 */
async function bigFile(
  report: Report,
  service: Service,
  s3: FakeServer,
  dir: string,
  token: string,
  sizeMib: number,
  rounds: number,
): Promise<void> {
  const auth = { authorization: token };
  const base = `${s3.url}/${BUCKET}/direct`;
  const size = sizeMib * MiB;
  const gib = size / 2 ** 30;
  const src = `${dir}/big.bin`;
  await writeRandomFile(src, size);
  const id = (await (await fetch(`${service.url}/v1/cache_id`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: '{"big": true}',
  })).json()).cache_id;
  report.info(`service peak RSS before the big file: ${fmtNum(await peakRssMib(service.pid))} MiB`);
  report.info(
    `${sizeMib} MiB, ${rounds} alternating rounds; load average before: ${loadavg()}`,
  );
  report.info(
    "the fake S3 keeps a multipart object as its part files (no copy on completion, as S3 does not send the bytes again)",
  );
  const curl = ["-sS", "--fail", "-H", "Expect:"];
  const ms = { upVia: [] as number[], upDirect: [] as number[], upFloor: [] as number[] };
  const down = { via: [] as number[], direct: [] as number[] };
  const cpu = { up: [] as number[], down: [] as number[], upChunked: [] as number[] };
  // The fake S3's CPU per GiB for each kind of run: the work every side shares.
  const fake = { upVia: [] as number[], upDirect: [] as number[] };
  const fakeCpu = async <T>(into: number[], run: () => Promise<T>): Promise<T> => {
    const before = await cpuSeconds(s3.child.pid);
    const out = await run();
    into.push((await cpuSeconds(s3.child.pid) - before) / gib);
    return out;
  };
  let threadsUp = "";
  let threadsDown = "";
  const upVia = async () => {
    await flushDisk();
    const t0 = await threadCpu(service.pid);
    const c0 = await cpuSeconds(service.pid);
    const t = await fakeCpu(fake.upVia, () =>
      timed("curl", [
        ...curl,
        "-H",
        `Authorization: ${token}`,
        "-F",
        `file=@${src}`,
        "-o",
        "/dev/null",
        `${service.url}/v1/cache/${id}`,
      ]));
    const used = await cpuSeconds(service.pid) - c0;
    cpu.up.push(used / gib);
    threadsUp = fmtThreadCpu(t0, await threadCpu(service.pid), used, gib);
    ms.upVia.push(t.ms);
  };
  // The same upload without a Content-Length (Transfer-Encoding: chunked),
  // as clients that stream (requests with a generator) or proxies that do
  // not buffer send it: its CPU per GiB against the upload with a length.
  const upChunked = async () => {
    await flushDisk();
    const c0 = await cpuSeconds(service.pid);
    await timed("curl", [
      ...curl,
      "-H",
      `Authorization: ${token}`,
      "-H",
      "Transfer-Encoding: chunked",
      "-F",
      `file=@${src}`,
      "-o",
      "/dev/null",
      `${service.url}/v1/cache/${id}`,
    ]);
    cpu.upChunked.push((await cpuSeconds(service.pid) - c0) / gib);
  };
  const upDirect = async () => {
    await flushDisk();
    const t = await fakeCpu(
      fake.upDirect,
      () => timed("curl", [...curl, "-T", src, "-o", "/dev/null", `${base}/big.bin`]),
    );
    ms.upDirect.push(t.ms);
  };
  const upFloor = async () => {
    await flushDisk();
    ms.upFloor.push((await storePutFloor(s3, src)).ms);
  };
  const downVia = async () => {
    const t0 = await threadCpu(service.pid);
    const c0 = await cpuSeconds(service.pid);
    const t = await timed("curl", [
      ...curl,
      "-H",
      `Authorization: ${token}`,
      "-o",
      "/dev/null",
      `${service.url}/v1/cache/${id}`,
    ]);
    const used = await cpuSeconds(service.pid) - c0;
    cpu.down.push(used / gib);
    threadsDown = fmtThreadCpu(t0, await threadCpu(service.pid), used, gib);
    down.via.push(t.ms);
  };
  const downDirect = async () => {
    down.direct.push((await timed("curl", [...curl, "-o", "/dev/null", `${base}/big.bin`])).ms);
  };
  const upOrder = [upVia, upDirect, upFloor, upChunked];
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < upOrder.length; k++) await upOrder[(r + k) % upOrder.length]!();
  }
  report.info(`service peak RSS after the uploads: ${fmtNum(await peakRssMib(service.pid))} MiB`);
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await downVia();
      await downDirect();
    } else {
      await downDirect();
      await downVia();
    }
  }
  const rss = await peakRssMib(service.pid);
  const mb = (t: number) => mbps(size, t);
  const list = (xs: number[]) => xs.map((x) => fmtNum(mb(x))).join(" ");
  report.info(`load average after: ${loadavg()}`);
  report.info(
    `MB/s per round: upload service ${list(ms.upVia)}, direct ${list(ms.upDirect)}, floor ${
      list(ms.upFloor)
    }; download service ${list(down.via)}, direct ${list(down.direct)}`,
  );
  report.info(
    `service CPU per GiB (median; less sensitive to machine load than throughput): upload ${
      fmtNum(median(cpu.up))
    } s (${threadsUp}), download ${fmtNum(median(cpu.down))} s (${threadsDown})`,
  );
  report.info(
    `fake S3 CPU per GiB uploaded (median): through the service ${
      fmtNum(median(fake.upVia))
    } s (multipart), direct ${fmtNum(median(fake.upDirect))} s (one PUT)`,
  );
  const upViaMb = mb(median(ms.upVia));
  const upDirectMb = mb(median(ms.upDirect));
  const upFloorMb = mb(median(ms.upFloor));
  const downViaMb = mb(median(down.via));
  const downDirectMb = mb(median(down.direct));
  report.info(
    `limit: the file streamed through S3Store.put (the service's store path, no HTTP in front) from this process: ${
      fmtNum(upFloorMb)
    } MB/s, ${fmtNum(upFloorMb / upDirectMb)}× direct`,
  );
  report.goal(
    `${sizeMib} MiB upload throughput vs direct S3`,
    upViaMb / upDirectMb,
    "×",
    ">=",
    0.7,
    `service ${fmtNum(upViaMb)} MB/s, direct ${fmtNum(upDirectMb)} MB/s (medians)`,
  );
  report.goal(
    `${sizeMib} MiB download throughput vs direct S3`,
    downViaMb / downDirectMb,
    "×",
    ">=",
    0.7,
    `service ${fmtNum(downViaMb)} MB/s, direct ${fmtNum(downDirectMb)} MB/s (medians)`,
  );
  report.goal(
    `${sizeMib} MiB chunked upload (no Content-Length): service CPU per GiB vs with a length`,
    median(cpu.upChunked) / median(cpu.up),
    "×",
    "<=",
    2,
    `chunked ${fmtNum(median(cpu.upChunked))} s/GiB, with a length ${
      fmtNum(median(cpu.up))
    } s/GiB (medians)`,
  );
  report.goal("service peak RSS", rss, " MiB", "<", 256, "VmHWM of the vc serve process");
}

if (import.meta.main) await main();
