/**
 * Where a cold prefill's time over its floor goes: start-up, warm-up
 * (code not yet compiled) and the steady rate. Each contender runs in a
 * fresh process of its own (vc's release permission flags) that fills
 * N × 1000 × 4 KiB objects round after round, each round into a fresh
 * directory, and reports each round's wall and CPU time: the floor of vc's
 * guarantees (`raw_fetch.ts guarded`) and vc (`AssetCache` + `prefill`).
 * Separate processes, because the floor runs vc's own store code, and one
 * run first would warm it for the other. Round 1 less the later rounds'
 * median is what warm-up costs each; the later rounds compare the steady
 * rates. The process start-up is `prefill.ts` / `cold_small.ts`'s to show.
 * Each round also reports the bytes V8 allocated in it (its heap
 * statistics' `total_allocated_bytes`): where CPU time on this shared VM
 * moves by ±20% between two runs of one build under load, the bytes stay
 * within a few percent, so a change that allocates less per object shows.
 *
 *     deno run -A scripts/bench/warmup_rounds.ts [--quick]
 *
 * @module
 */
import process from "node:process";
import v8 from "node:v8";
import { fileURLToPath } from "node:url";
import { AssetCache } from "../../src/cache/asset_cache.ts";
import { prefill } from "../../src/prefill/prefill.ts";
import { rawFetch } from "./raw_fetch.ts";
import {
  FakeServer,
  fmtNum,
  KiB,
  median,
  parseBenchArgs,
  putObjects,
  Report,
  tempDir,
  VC_FLAGS,
  vcEnv,
} from "./lib.ts";

const BUCKET = "rounds";
const COUNT = 1000;

/** One round's times, as the child prints them. */
interface Round {
  wallMs: number;
  cpuMs: number;
  /** Bytes V8 allocated during the round (garbage included). */
  allocated: number;
}

/** Bytes V8 has allocated in this process so far (garbage included). */
function allocatedBytes(): number {
  return (v8.getHeapStatistics() as { total_allocated_bytes?: number }).total_allocated_bytes ??
    NaN;
}

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("warmup_rounds");
  const rounds = args.quick ? 3 : 5;
  await using tmp = await tempDir("rounds");
  await using server = await FakeServer.start({ buckets: [BUCKET] });
  const keys = Array.from({ length: COUNT }, (_, i) => `d/f${String(i).padStart(4, "0")}.bin`);
  await putObjects(server.url, BUCKET, keys, 4 * KiB);
  const keysFile = `${tmp.path}/keys.txt`;
  await Deno.writeTextFile(keysFile, keys.join("\n"));
  const child = async (who: "floor" | "vc", pair: number): Promise<Round[]> => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...VC_FLAGS,
        fileURLToPath(import.meta.url),
        "--child",
        who,
        server.url,
        keysFile,
        `${tmp.path}/${who}${pair}`,
        String(rounds),
      ],
      env: vcEnv(server, tmp.path),
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`${who} rounds failed`);
    return JSON.parse(new TextDecoder().decode(out.stdout)) as Round[];
  };
  // Interleaved pairs: this VM drifts between minutes.
  const firstExtra = { floor: [] as number[], vc: [] as number[] };
  const steady = { floor: [] as number[], vc: [] as number[] };
  const allocated = { floor: [] as number[], vc: [] as number[] };
  for (let pair = 0; pair < (args.quick ? 1 : 3); pair++) {
    for (const who of ["floor", "vc"] as const) {
      const times = await child(who, pair);
      const later = median(times.slice(1).map((r) => r.cpuMs));
      firstExtra[who].push(times[0]!.cpuMs - later);
      steady[who].push(later);
      allocated[who].push(median(times.slice(1).map((r) => r.allocated)));
      report.info(
        `${who}: rounds ${times.map((r) => `${fmtNum(r.wallMs)}/${fmtNum(r.cpuMs)}`).join(", ")}` +
          ` ms wall/CPU per ${COUNT}`,
      );
    }
  }
  const f = { extra: median(firstExtra.floor), steady: median(steady.floor) };
  const v = { extra: median(firstExtra.vc), steady: median(steady.vc) };
  report.info(
    `warm-up (round 1 over the steady rate, CPU): vc ${fmtNum(v.extra)} ms, floor ${
      fmtNum(f.extra)
    } ms; steady CPU per ${COUNT}: vc ${fmtNum(v.steady)} ms, floor ${fmtNum(f.steady)} ms (${
      fmtNum(v.steady / f.steady)
    }×)`,
  );
  // KiB allocated per object in the later rounds (the first also compiles).
  const perObject = (who: "floor" | "vc") => median(allocated[who]) / COUNT / KiB;
  report.info(
    `allocated per object (later rounds): vc ${fmtNum(perObject("vc"))} KiB, floor ${
      fmtNum(perObject("floor"))
    } KiB (${fmtNum(perObject("vc") / perObject("floor"))}×)`,
  );
  return report;
}

/** A child: `rounds` fills of the keys, each into a fresh directory; prints the times as JSON. */
async function childRounds(argv: string[]): Promise<void> {
  const [who, url, keysFile, dir, roundsText] = argv;
  const keys = (await Deno.readTextFile(keysFile!)).split("\n");
  const uris = keys.map((k) => `s3://${BUCKET}/${k}`);
  const times: Round[] = [];
  for (let r = 0; r < Number(roundsText); r++) {
    const into = `${dir}/round${r}`;
    await Deno.mkdir(into, { recursive: true });
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const allocated = allocatedBytes();
    if (who === "floor") {
      await rawFetch({
        mode: "guarded",
        url: url!,
        bucket: BUCKET,
        keys,
        dir: into,
        meta: into,
        concurrency: 16,
      });
    } else {
      await using cache = new AssetCache({ cacheDir: into, configPath: false });
      await prefill({ cache, uris });
    }
    const used = process.cpuUsage(cpu);
    times.push({
      wallMs: performance.now() - wall,
      cpuMs: (used.user + used.system) / 1000,
      allocated: allocatedBytes() - allocated,
    });
  }
  console.log(JSON.stringify(times));
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") {
    await childRounds(Deno.args.slice(1));
  } else {
    const args = parseBenchArgs(Deno.args);
    const report = await run(args);
    await report.finish(args);
  }
}
