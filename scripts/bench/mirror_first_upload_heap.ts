/**
 * Where a first upload's memory goes over time: a first mirror of N small
 * files to the fake S3 (its own process), run through the library in a child
 * with `--expose-gc`, which every second samples `Deno.memoryUsage()`, forces
 * a full GC and samples again. The live heap (after the GC) against the heap
 * V8 keeps committed, ArrayBuffers (`external`) and the rest of the resident
 * set (native: SQLite, the runtime) tells what a run holds per file from what
 * its allocator keeps (see NOTES.md, "A first upload's memory, split").
 *
 *     deno run -A scripts/bench/mirror_first_upload_heap.ts [--files 20000,100000]
 *
 * The forced GCs make the run slower and its peak lower than the CLI's
 * (`mirror_first_upload_rss.ts` measures that one).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { FakeServer, fmtNum, tempDir } from "./lib.ts";
import { mirror } from "../../src/mirror/mod.ts";

const PER_DIR = 500;
const MB = 1e6;

async function child(src: string, target: string, state: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  const peak = { rss: 0, live: 0, committed: 0, external: 0, native: 0 };
  const sample = () => {
    const before = Deno.memoryUsage();
    gc();
    const after = Deno.memoryUsage();
    peak.rss = Math.max(peak.rss, before.rss);
    peak.live = Math.max(peak.live, after.heapUsed);
    peak.committed = Math.max(peak.committed, before.heapTotal);
    peak.external = Math.max(peak.external, after.external);
    peak.native = Math.max(peak.native, after.rss - after.heapTotal - after.external);
  };
  const timer = setInterval(sample, 1000);
  try {
    const report = await mirror({ sources: [src], target, statePath: state });
    sample();
    console.log(JSON.stringify({ transferred: report.transferred, ...peak }));
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      files: { type: "string", default: "20000,100000" },
      child: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (values.child) {
    const [src, target, state] =
      parseArgs({ args: Deno.args, allowPositionals: true, strict: false })
        .positionals;
    return await child(src!, target!, state!);
  }
  console.log(`load average: ${(await Deno.readTextFile("/proc/loadavg")).trim()}`);
  const bytes = new TextEncoder().encode("a small file of thirty-seven bytes.\n\n");
  let last: { files: number; peak: Record<string, number> } | undefined;
  for (const files of values.files.split(",").map(Number)) {
    await using tmp = await tempDir("mirror-first-upload-heap");
    await using server = await FakeServer.start({ buckets: ["b"] });
    for (let d = 0; d * PER_DIR < files; d++) {
      const dir = `${tmp.path}/big/d${String(d).padStart(4, "0")}`;
      await Deno.mkdir(dir, { recursive: true });
      const writes = [];
      for (let i = d * PER_DIR; i < Math.min(files, (d + 1) * PER_DIR); i++) {
        writes.push(Deno.writeFile(`${dir}/f${String(i).padStart(6, "0")}.txt`, bytes));
      }
      await Promise.all(writes);
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        "--child",
        `${tmp.path}/big`,
        "s3://b/big",
        `${tmp.path}/s.db`,
      ],
      env: {
        ...server.env,
        XDG_CONFIG_HOME: tmp.path,
        VC_CACHE_DIR: `${tmp.path}/cache`,
        VC_S3_PATH_STYLE: "1",
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const peak = JSON.parse(new TextDecoder().decode(out.stdout)) as Record<string, number>;
    if (peak.transferred !== files) throw new Error(`uploaded ${peak.transferred} of ${files}`);
    const parts = ["rss", "live", "committed", "external", "native"].map((k) =>
      `${k} ${fmtNum(peak[k]! / MB)} MB${
        last === undefined
          ? ""
          : ` (${fmtNum((peak[k]! - last.peak[k]!) / (files - last.files))} B/file)`
      }`
    );
    console.log(`${files} files, peaks: ${parts.join(", ")}`);
    last = { files, peak };
  }
}

if (import.meta.main) await main();
