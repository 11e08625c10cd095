/**
 * What the request timeout costs on the S3 hot path. The guard wraps every
 * response body (an idle timer per read, chunks of at least 64 KiB), so it
 * is timed against the same `S3Store` with timeouts off (`requestTimeoutMs:
 * 0`, the raw fetch body) and against direct `fetch` GETs, from the same
 * fake server (a separate process):
 *
 * - many small GETs (4 KiB; 32 in flight), read to the end;
 * - one big GET (256 MiB; 64 MiB with `--quick`) piped into a file the way
 *   the downloader does (`pipeTo(file.writable, { preventClose: true })`),
 *   guarded, and with `rawBody` (what the downloader's pipe path asks for:
 *   timeouts up to the first byte, then fetch's own body).
 *
 * Goals: small GETs guarded ≥ 0.9× unguarded; the big GET with `rawBody`
 * ≥ 0.9× unguarded. The guarded big GET is printed for context (a guarded
 * body is copied by JavaScript).
 *
 *     deno run -A scripts/bench/request_guard.ts [--quick]
 *
 * @module
 */
import { S3Store } from "../../src/store/s3.ts";
import { forEachLimit } from "../../src/pool.ts";
import { writeFileAtomic } from "../../src/atomic_write.ts";
import {
  FakeServer,
  fmtNum,
  KiB,
  mbps,
  median,
  MiB,
  parseBenchArgs,
  putObjects,
  Report,
  tempDir,
} from "./lib.ts";

const BUCKET = "guard";
const GOAL = 0.9;

const args = parseBenchArgs(Deno.args);
const report = new Report("request_guard");
const smallCount = args.quick ? 500 : 2000;
const bigSize = (args.quick ? 64 : 256) * MiB;
const rounds = args.quick ? 3 : 5;

await using server = await FakeServer.start({ buckets: [BUCKET] });
await using dir = await tempDir("vc-bench-guard-");
const keys = Array.from({ length: smallCount }, (_, i) => `small/${String(i).padStart(5, "0")}`);
await putObjects(server.url, BUCKET, keys, 4 * KiB);
await putObjects(server.url, BUCKET, ["big.bin"], bigSize, 1);

const storeWith = (requestTimeoutMs: number | undefined) =>
  new S3Store({
    bucket: BUCKET,
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });

type Getter = (key: string) => Promise<ReadableStream<Uint8Array>>;
type Peer = { name: string; get: Getter; small: boolean };

async function smallGets(get: Getter): Promise<number> {
  const start = performance.now();
  await forEachLimit(keys, 32, async (key) => {
    await new Response(await get(key)).arrayBuffer();
  });
  return performance.now() - start;
}

async function bigGet(get: Getter): Promise<number> {
  const path = `${dir.path}/big.out`;
  const start = performance.now();
  // Not pipeTo(file.writable, { preventClose: true }): for a JS stream, Deno
  // 2.9 holds back (and loses) writes under 64 KiB.
  await writeFileAtomic(path, await get("big.bin"), { durable: false });
  const ms = performance.now() - start;
  const size = (await Deno.stat(path)).size;
  if (size !== bigSize) throw new Error(`big GET wrote ${size} bytes, expected ${bigSize}`);
  return ms;
}

const guarded = storeWith(undefined);
const unguarded = storeWith(0);
const client = Deno.createHttpClient({});
try {
  const peers: Peer[] = [
    { name: "vc guarded", get: async (k) => (await guarded.get(k)).body, small: true },
    {
      name: "vc rawBody",
      get: async (k) => (await guarded.get(k, { rawBody: true })).body,
      small: false,
    },
    { name: "vc no timeout", get: async (k) => (await unguarded.get(k)).body, small: true },
    {
      name: "direct fetch",
      get: async (k) => (await fetch(`${server.url}/${BUCKET}/${k}`, { client })).body!,
      small: true,
    },
  ];
  const small: Record<string, number[]> = {};
  const big: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const { name, get, small: doSmall } of peers) {
      if (doSmall) (small[name] ??= []).push(await smallGets(get));
      (big[name] ??= []).push(await bigGet(get));
    }
  }
  for (const { name } of peers) {
    const s = small[name] === undefined ? "-" : fmtNum((smallCount / median(small[name]!)) * 1000);
    report.info(
      `${name.padEnd(14)} small: ${s} GET/s | big: ${
        fmtNum(mbps(bigSize, median(big[name]!)))
      } MB/s`,
    );
  }
  const ratio = (a: Record<string, number[]>, peer: string) =>
    median(a["vc no timeout"]!) / median(a[peer]!);
  report.goal(
    "small GETs, guarded vs no timeout",
    ratio(small, "vc guarded"),
    "x",
    ">=",
    GOAL,
    `${smallCount} × 4 KiB, 32 in flight`,
  );
  report.goal(
    "big GET, rawBody vs no timeout",
    ratio(big, "vc rawBody"),
    "x",
    ">=",
    GOAL,
    `${bigSize / MiB} MiB to a file; guarded: ${fmtNum(ratio(big, "vc guarded"))}x`,
  );
} finally {
  client.close();
  await guarded.close();
  await unguarded.close();
}
await report.finish(args);
