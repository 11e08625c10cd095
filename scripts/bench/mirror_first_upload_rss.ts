/**
 * Peak RSS of a first `vc mirror DIR s3://b/p` (every file uploaded, then
 * confirmed in the store) of N small files, against the fake S3 in its own
 * process: how a first upload's memory grows with the files (see NOTES.md,
 * "A first upload's memory"). Prints, for each N, the peak (`/usr/bin/time`'s
 * maximum resident set) and the growth per file from the previous N.
 *
 *     deno run -A scripts/bench/mirror_first_upload_rss.ts [--files 20000,50000,100000]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { FakeServer, fmtNum, tempDir, timed, vcArgs, vcEnv } from "./lib.ts";

const PER_DIR = 500;

async function makeTree(root: string, count: number): Promise<void> {
  const bytes = new TextEncoder().encode("a small file of thirty-seven bytes.\n\n");
  for (let d = 0; d * PER_DIR < count; d++) {
    const dir = `${root}/d${String(d).padStart(4, "0")}`;
    await Deno.mkdir(dir, { recursive: true });
    const writes = [];
    for (let i = d * PER_DIR; i < Math.min(count, (d + 1) * PER_DIR); i++) {
      writes.push(Deno.writeFile(`${dir}/f${String(i).padStart(6, "0")}.txt`, bytes));
    }
    await Promise.all(writes);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { files: { type: "string", default: "20000,50000,100000" } },
  });
  const counts = values.files.split(",").map(Number);
  console.log(`load average: ${(await Deno.readTextFile("/proc/loadavg")).trim()}`);
  let last: { files: number; kb: number } | undefined;
  for (const files of counts) {
    await using tmp = await tempDir("mirror-first-upload");
    await using server = await FakeServer.start({ buckets: ["b"] });
    await makeTree(`${tmp.path}/big`, files);
    const env = vcEnv(server, tmp.path, {
      XDG_CACHE_HOME: `${tmp.path}/cache`,
      VC_S3_PATH_STYLE: "1",
      DENO_NO_UPDATE_CHECK: "1",
    });
    const run = await timed(
      "/usr/bin/time",
      ["-f", "%M %U %S", Deno.execPath(), ...vcArgs("mirror", "big", "s3://b/big", "--json")],
      { env, cwd: tmp.path, timeoutMs: 1_800_000 },
    );
    const [kb, user, sys] = run.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
    const report = JSON.parse(run.stdout);
    if (report.transferred !== files) throw new Error(`uploaded ${report.transferred} of ${files}`);
    const per = last === undefined
      ? ""
      : `, ${
        fmtNum((kb! - last.kb) * 1000 / (files - last.files))
      } B per file more than ${last.files}`;
    console.log(
      `${files} files: peak RSS ${fmtNum(kb! / 1000)} MB (CPU ${user} + ${sys} s sys)${per}`,
    );
    last = { files, kb: kb! };
  }
}

if (import.meta.main) await main();
