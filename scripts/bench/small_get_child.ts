/**
 * The cold side of `small_get.ts`: a fresh process makes N small GETs, 16 in
 * flight, each body read to its end (what a cold `vc prefill` pays, JIT
 * warm-up included), and prints one JSON line with the CPU time (user + sys)
 * the GETs took, module loading excluded.
 *
 *     deno run --allow-net --allow-env scripts/bench/small_get_child.ts MODE ENDPOINT BUCKET COUNT
 *
 * MODE: `bare` (unsigned `fetch` + `arrayBuffer`), `fetch` (`S3Store.get`),
 * `http1` (`S3Store.get` with `http1: true`). Keys are `small/000000`...
 *
 * @module
 */
import process from "node:process";
import { S3Store } from "../../src/store/s3.ts";
import { forEachLimit } from "../../src/pool.ts";

/** What the child prints. */
export interface SmallGetChildResult {
  /** CPU time of the GETs, in µs. */
  cpuUs: number;
  /** Wall time of the GETs, in ms. */
  ms: number;
}

/** Key `i` of the benchmark's objects. */
export function smallKey(i: number): string {
  return `small/${String(i).padStart(6, "0")}`;
}

async function main([mode, endpoint, bucket, count]: string[]): Promise<void> {
  if (mode !== "bare" && mode !== "fetch" && mode !== "http1") throw new Error(`mode ${mode}?`);
  const keys = Array.from({ length: Number(count) }, (_, i) => smallKey(i));
  const store = new S3Store({
    bucket: bucket!,
    endpoint: endpoint!,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    http1: mode === "http1",
  });
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await forEachLimit(keys, 16, async (key) => {
      if (mode === "bare") {
        await (await fetch(`${endpoint}/${bucket}/${key}`)).arrayBuffer();
        return;
      }
      const r = await store.get(key);
      if (r.bytes === undefined) await new Response(r.body).arrayBuffer();
    });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const result: SmallGetChildResult = { cpuUs: cpu.user + cpu.system, ms };
    console.log(JSON.stringify(result));
  } finally {
    await store.close();
  }
}

if (import.meta.main) await main(Deno.args);
