/**
 * The CPU cost of one small GET through `S3Store` (issue 11): N × 4 KiB
 * objects from the fake S3 (its own process, so its work is not billed
 * here), 16 in flight, each body read to its end, against a bare unsigned
 * `fetch(url)` + `arrayBuffer()` of the same objects in the same run.
 * Contenders run interleaved, round after round; each figure is the median
 * over rounds of this process's CPU time (user + sys, `process.cpuUsage()`) and
 * wall time per object:
 *
 * - `bare fetch`: `fetch(url)` + `arrayBuffer()`, unsigned (the bare loop of
 *   `cold_small.ts` without the file);
 * - `S3Store.get`: signed, retried, timed out, headers parsed into
 *   `ObjectInfo`, the body taken as `bytes` when the store read it whole
 *   (what the downloader does), else read from `body`;
 * - `S3Store.get http1`: the same with `S3StoreOptions.http1` (vc's own
 *   HTTP/1.1 keep-alive client for plain-http endpoints);
 * - `bare http1`: `Http1Client.request` unsigned, for context;
 * - `sign only` (printed apart): `SigV4Signer.sign` of a GET, no I/O.
 *
 * Then cold: each of `bare fetch`, `S3Store.get` and `S3Store.get http1`
 * makes the first 1000 GETs of a fresh process (`small_get_child.ts`, JIT
 * warm-up included: what a cold `vc prefill` of 1000 files pays), rounds
 * interleaved, median CPU per GET.
 *
 * Goals: `S3Store.get` (the better of its two transports) at most 1.5× the
 * CPU per object of the bare fetch, warm and cold.
 *
 *     deno run -A scripts/bench/small_get.ts [--quick] [--count N] [--rounds R]
 *
 * `--quick`: 300 objects, 3 rounds (default 2000 objects, 5 rounds).
 *
 * @module
 */
import process from "node:process";
import { S3Store } from "../../src/store/s3.ts";
import { Http1Client } from "../../src/store/http1_client.ts";
import { EMPTY_SHA256, SigV4Signer } from "../../src/store/sigv4.ts";
import { forEachLimit } from "../../src/pool.ts";
import {
  FakeServer,
  fmtNum,
  KiB,
  median,
  parseBenchNumbers,
  putObjects,
  Report,
  ROOT,
} from "./lib.ts";
import { type SmallGetChildResult, smallKey } from "./small_get_child.ts";

const BUCKET = "sget";
const SIZE = 4 * KiB;
const CONCURRENCY = 16;
const GOAL = 1.5;

const { quick, results, numbers } = parseBenchNumbers(Deno.args, {
  count: [2000, 300],
  rounds: [5, 3],
});
const { count, rounds } = numbers;
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(rounds) || rounds < 1) {
  throw new Error("--count and --rounds must be positive integers");
}
const report = new Report("small_get");

function load(): string {
  try {
    return Deno.loadavg().map((l) => l.toFixed(2)).join(" ");
  } catch {
    return "?";
  }
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

await using server = await FakeServer.start({ buckets: [BUCKET] });
const keys = Array.from({ length: count }, (_, i) => smallKey(i));
// Cold runs: as many GETs as a cold prefill of 1000 files makes (fewer with --count).
const coldCount = Math.min(count, 1000);
await putObjects(server.url, BUCKET, keys, SIZE);

const storeWith = (http1: boolean) =>
  new S3Store({
    bucket: BUCKET,
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    http1,
  });
const viaFetch = storeWith(false);
const viaHttp1 = storeWith(true);
const http1 = new Http1Client();

/** Fetches one object and returns its length (checked against SIZE). */
type Getter = (key: string) => Promise<number>;

const storeGet = (store: S3Store): Getter => async (key) => {
  const r = await store.get(key);
  if (r.bytes !== undefined) return r.bytes.length;
  return (await new Response(r.body).arrayBuffer()).byteLength;
};

const contenders: { name: string; get: Getter }[] = [
  {
    name: "bare fetch",
    get: async (key) =>
      (await (await fetch(`${server.url}/${BUCKET}/${key}`)).arrayBuffer())
        .byteLength,
  },
  { name: "S3Store.get fetch", get: storeGet(viaFetch) },
  { name: "S3Store.get http1", get: storeGet(viaHttp1) },
  {
    name: "bare http1",
    get: async (key) => {
      const { response, bytes } = await http1.request({
        method: "GET",
        url: new URL(`${server.url}/${BUCKET}/${key}`),
        headers: {},
      });
      return bytes?.length ?? (await response.arrayBuffer()).byteLength;
    },
  },
];

async function pass(get: Getter, list: readonly string[]): Promise<{ cpu: number; wall: number }> {
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  await forEachLimit(list, CONCURRENCY, async (key) => {
    const n = await get(key);
    if (n !== SIZE) throw new Error(`${key}: got ${n} bytes, expected ${SIZE}`);
  });
  return { cpu: cpuMicros() - cpu0, wall: (performance.now() - t0) * 1000 };
}

try {
  report.info(`${count} × ${SIZE / KiB} KiB, ${CONCURRENCY} in flight, ${rounds} rounds`);
  // Warm-up: connections, JIT (1000 GETs each, whatever the count).
  const warmUp = Array.from({ length: 1000 }, (_, i) => keys[i % count]!);
  for (const c of contenders) await pass(c.get, warmUp);
  const cpu: Record<string, number[]> = {};
  const wall: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) {
      const m = await pass(c.get, keys);
      (cpu[c.name] ??= []).push(m.cpu / count);
      (wall[c.name] ??= []).push(m.wall / count);
    }
  }
  const bareCpu = median(cpu["bare fetch"]!);
  const bareWall = median(wall["bare fetch"]!);
  for (const c of contenders) {
    const u = median(cpu[c.name]!);
    const w = median(wall[c.name]!);
    report.info(
      `${c.name.padEnd(18)} CPU ${fmtNum(u)} µs/GET (${fmtNum(u / bareCpu)}× bare) | wall ${
        fmtNum(w)
      } µs/GET (${fmtNum(w / bareWall)}×)`,
    );
  }
  // The signature alone, no I/O.
  const signer = new SigV4Signer({ region: "us-east-1" });
  const creds = { accessKeyId: "bench", secretAccessKey: "bench" };
  const url = new URL(`${server.url}/${BUCKET}/${keys[0]}`);
  const signs = 20_000;
  let t0 = cpuMicros();
  for (let i = 0; i < signs; i++) {
    signer.sign({ method: "GET", url, payloadHash: EMPTY_SHA256 }, creds);
  }
  t0 = cpuMicros() - t0;
  report.info(`sign only          CPU ${fmtNum(t0 / signs)} µs/call`);
  const best = Math.min(median(cpu["S3Store.get fetch"]!), median(cpu["S3Store.get http1"]!));
  report.goal(
    "CPU per small GET, S3Store.get vs bare fetch (warm)",
    best / bareCpu,
    "×",
    "<=",
    GOAL,
    `best ${fmtNum(best)} µs vs ${fmtNum(bareCpu)} µs; load ${load()}`,
  );

  // Cold: fresh processes.
  const modes = [
    ["bare", "bare fetch"],
    ["fetch", "S3Store.get fetch"],
    ["http1", "S3Store.get http1"],
  ];
  const cold: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [mode, name] of r % 2 === 0 ? modes : [...modes].reverse()) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-net",
          "--allow-env",
          `${ROOT}scripts/bench/small_get_child.ts`,
          mode!,
          server.url,
          BUCKET,
          String(coldCount),
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(300_000),
      }).output();
      if (!out.success) {
        throw new Error(`small_get_child ${mode}: ${new TextDecoder().decode(out.stderr)}`);
      }
      const result = JSON.parse(new TextDecoder().decode(out.stdout)) as SmallGetChildResult;
      (cold[name!] ??= []).push(result.cpuUs / coldCount);
    }
  }
  const coldBare = median(cold["bare fetch"]!);
  for (const [, name] of modes) {
    const u = median(cold[name!]!);
    report.info(
      `cold ${name!.padEnd(17)} CPU ${fmtNum(u)} µs/GET (${
        fmtNum(u / coldBare)
      }× bare), first ${coldCount} GETs of a process`,
    );
  }
  const coldBest = Math.min(median(cold["S3Store.get fetch"]!), median(cold["S3Store.get http1"]!));
  report.goal(
    "CPU per small GET, S3Store.get vs bare fetch (cold process)",
    coldBest / coldBare,
    "×",
    "<=",
    GOAL,
    `best ${fmtNum(coldBest)} µs vs ${fmtNum(coldBare)} µs; load ${load()}`,
  );
} finally {
  http1.close();
  await viaFetch.close();
  await viaHttp1.close();
}
await report.finish({ quick, results });
