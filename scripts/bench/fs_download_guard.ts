/**
 * `vc serve`'s CPU per GiB of file downloads from a directory (`file://`)
 * store, this tree against another checkout (e.g. one without the relay
 * guard on such bodies), in the same run: one store, one upload, then per
 * round each tree's `vc serve` serves the file `N` times to `curl`, the
 * trees' order alternating round by round. The service's CPU is read from
 * `/proc/PID/stat` (Linux), before and after its downloads.
 *
 *     git worktree add /tmp/base origin/main
 *     deno run -A scripts/bench/fs_download_guard.ts /tmp/base [MiB=256] [N=8] [rounds=4]
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const [baseTree, mib = "256", times = "8", rounds = "4"] = Deno.args;
if (baseTree === undefined) {
  console.error("usage: fs_download_guard.ts BASE_CHECKOUT [MiB] [N] [rounds]");
  Deno.exit(2);
}
const size = Number(mib) * 2 ** 20;
const trees: Record<string, string> = {
  base: baseTree,
  this: fileURLToPath(new URL("../..", import.meta.url)),
};
const TICKS_PER_S = 100; // USER_HZ

/** User plus system CPU seconds of process `pid`. */
function cpuSeconds(pid: number): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** Runs `cmd`; its stdout, trimmed. */
async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** `vc serve` of `tree` on the store in `dir`, listening. */
async function serve(tree: string, dir: string) {
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "-A",
      `${tree}/cli.ts`,
      "serve",
      "--store",
      `file://${dir}/store`,
      "--token-file",
      `${dir}/tokens.json`,
      "--port",
      "0",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("vc serve exited before it listened");
    out += value;
  }
  const url = /listening on (\S+)/.exec(out)![1]!;
  const drained = (async () => {
    while (!(await reader.read()).done);
  })();
  const stop = async () => {
    child.kill("SIGTERM");
    await child.status;
    await drained;
  };
  return { pid: child.pid, url, stop };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = await Deno.makeTempDir({ prefix: "fs_download_guard_bench_" });
try {
  await Deno.mkdir(`${dir}/store`);
  const token = await run("deno", [
    "run",
    "-A",
    `${trees.this}/cli.ts`,
    "serve",
    "add-token",
    "alice",
    "--token-file",
    `${dir}/tokens.json`,
  ]);
  const auth = `authorization: ${token}`;
  const setup = await serve(trees.this!, dir);
  const id = JSON.parse(
    await run("curl", [
      "-sf",
      "-H",
      auth,
      "-H",
      "content-type: application/json",
      "-d",
      '{"bench":"fs_download_guard"}',
      `${setup.url}/v1/cache_id`,
    ]),
  ).cache_id;
  await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(size).fill(3));
  await run("curl", [
    "-sf",
    "-H",
    auth,
    "-F",
    `file=@${dir}/big.bin`,
    `${setup.url}/v1/cache/${id}`,
  ]);
  await Deno.remove(`${dir}/big.bin`);
  await setup.stop();
  const cpu: Record<string, number[]> = { base: [], this: [] };
  const gib = Number(times) * size / 2 ** 30;
  for (let round = 0; round < Number(rounds); round++) {
    for (const name of round % 2 === 0 ? ["base", "this"] : ["this", "base"]) {
      const service = await serve(trees[name]!, dir);
      const get = ["-sf", "-o", "/dev/null", "-H", auth, `${service.url}/v1/cache/${id}`];
      await run("curl", get); // warm
      const before = cpuSeconds(service.pid);
      const started = performance.now();
      for (let i = 0; i < Number(times); i++) await run("curl", get);
      const seconds = cpuSeconds(service.pid) - before;
      const wall = (performance.now() - started) / 1000;
      cpu[name]!.push(seconds / gib);
      console.log(
        `round ${round} ${name}: ${(seconds / gib).toFixed(3)} CPU s/GiB, ` +
          `${(gib / wall).toFixed(2)} GiB/s`,
      );
      await service.stop();
    }
  }
  console.log(
    `median CPU s/GiB: base ${median(cpu.base!).toFixed(3)}, this ${median(cpu.this!).toFixed(3)}`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
