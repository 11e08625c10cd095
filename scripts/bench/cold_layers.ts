/**
 * CPU per cold 4 KiB object, layer by layer, in one warm process (start-up
 * excluded), rounds interleaved: a bare `fetch`, `S3Store.get`, the bare
 * loop (fetch, temp file, write, fdatasync, rename), `downloadToFile` (the
 * downloader: a signed GET, the MD5 check, temp file, fdatasync, rename),
 * and `AssetCache.cache` (the downloader plus the cache's lookups, lock,
 * checks and record). The difference between two rows is what a layer
 * costs. CPU is the process's (all threads, user and system: the flushes
 * count), so the disk's share is in every row but `fetch` and `get`.
 *
 *     deno run -A scripts/bench/cold_layers.ts [--quick]
 *
 * @module
 */
import process from "node:process";
import { AssetCache } from "../../src/cache/asset_cache.ts";
import { downloadToFile } from "../../src/store/download.ts";
import { openStore } from "../../src/store/open.ts";
import {
  FakeServer,
  fmtNum,
  KiB,
  median,
  parseBenchArgs,
  putObjects,
  Report,
  tempDir,
} from "./lib.ts";

const BUCKET = "layers";
const IN_FLIGHT = 16;

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("cold_layers");
  const count = args.quick ? 200 : 1000;
  const rounds = args.quick ? 3 : 5;
  await using tmp = await tempDir("layers");
  await using server = await FakeServer.start({ buckets: [BUCKET] });
  const keys = Array.from({ length: count }, (_, i) => `d/f${String(i).padStart(4, "0")}.bin`);
  await putObjects(server.url, BUCKET, keys, 4 * KiB);
  const uris = keys.map((k) => `s3://${BUCKET}/${k}`);
  const s3 = {
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const store = await openStore(`s3://${BUCKET}/`, { s3 });
  const pool = async (fn: (i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await fn(next++);
    }));
  };
  const layers: [string, (dir: string) => Promise<void>][] = [
    ["bare fetch + arrayBuffer", () =>
      pool(async (i) => {
        await (await fetch(`${server.url}/${BUCKET}/${keys[i]}`)).arrayBuffer();
      })],
    ["S3Store.get (signed, object info)", () =>
      pool(async (i) => {
        const r = await store.get(keys[i]!);
        if (r.bytes === undefined) await new Response(r.body).arrayBuffer();
      })],
    ["bare loop: fetch, temp file, fdatasync, rename", async (dir) => {
      await Deno.mkdir(dir);
      await pool(async (i) => {
        const bytes = new Uint8Array(
          await (await fetch(`${server.url}/${BUCKET}/${keys[i]}`)).arrayBuffer(),
        );
        const temp = `${dir}/.${i}.tmp`;
        const file = Deno.openSync(temp, { read: true, write: true, createNew: true });
        try {
          file.writeSync(bytes);
          await file.syncData();
          Deno.renameSync(temp, `${dir}/${i}`);
        } finally {
          file.close();
        }
      });
    }],
    ["downloadToFile (the downloader)", async (dir) => {
      await Deno.mkdir(dir);
      await pool((i) => downloadToFile(store, keys[i]!, `${dir}/${i}`));
    }],
    ["AssetCache.cache (the cache on top)", async (dir) => {
      await using cache = new AssetCache({
        cacheDir: dir,
        configPath: false,
        env: {},
        store: { s3 },
      });
      await Promise.all(uris.map((uri) => cache.cache(uri)));
    }],
  ];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let runs = 0;
  const cpu = new Map<string, number[]>();
  try {
    // One untimed round: code compiled, connections open, like the rest of a fill.
    for (const [, fn] of layers) await fn(`${tmp.path}/run${runs++}`);
    for (let r = 0; r < rounds; r++) {
      for (const [name, fn] of layers) {
        const before = cpuMs();
        await fn(`${tmp.path}/run${runs++}`);
        const xs = cpu.get(name) ?? [];
        xs.push((cpuMs() - before) / count * 1000);
        cpu.set(name, xs);
      }
    }
  } finally {
    await store.close();
  }
  const bare = median(cpu.get(layers[2]![0])!);
  for (const [name] of layers) {
    const xs = cpu.get(name)!;
    report.info(
      `${name}: ${fmtNum(median(xs))} µs CPU/object (${
        fmtNum(median(xs) / bare)
      }× the bare loop; ` +
        `rounds ${xs.map(fmtNum).join(", ")}; load ${Deno.loadavg()[0]!.toFixed(1)})`,
    );
  }
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
