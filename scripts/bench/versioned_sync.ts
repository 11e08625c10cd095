/**
 * `vc sync` of many tiny files (N × ~10 B, default 5000, 50 directories)
 * pinned in a manifest with a `file://` bucket, as a process (`deno run -A
 * cli.ts`, start-up included), against `cp -r` of the same files in the same
 * run:
 *
 * - cold: empty cache, empty DEST (every entry downloaded into the cache,
 *   then copied out);
 * - warm: cache full, DEST empty (every entry's cached copy checked and
 *   copied out, flushed before its rename, its record journaled);
 * - `vc prefill` of the same manifest into an empty cache, for reference
 *   (the cold sync's download half);
 * - `cp -r` of a tree of the same files, and `cp -r` followed by `sync -f`
 *   of the copy (flushed, as vc's copies are; `cp` checks no byte).
 *
 * Each contender starts after a `sync`. Each round runs every contender once, in that order; the ratios printed
 * are medians over the rounds of vc / `cp -r` taken in the same round, so a
 * machine whose load moves between minutes skews both sides alike.
 * Everything is made in a temp dir (or under `dir`) and removed at the end.
 *
 *     deno run -A scripts/bench/versioned_sync.ts [files (default 5000)] [rounds (default 3)] [dir]
 *
 * @module
 */
import { join } from "node:path";

const files = Math.max(1, Number(Deno.args[0] ?? 5000));
const rounds = Math.max(1, Number(Deno.args[1] ?? 3));
const base = Deno.args[2] ?? (await Deno.makeTempDir());
const work = await Deno.makeTempDir({ dir: base, prefix: "versioned_sync_bench_" });
const project = new URL("../../", import.meta.url).pathname;
const bucket = join(work, "bucket");
const tree = join(work, "tree");
const manifest = join(work, "manifest.json");

/**
 * Runs a command after a `sync` (the dirty pages of the step before written
 * out, so no contender pays for another's), its time in seconds (throws
 * when it fails).
 */
async function timed(cmd: string, args: string[]): Promise<number> {
  await new Deno.Command("sync").output();
  const start = performance.now();
  const { code, stderr } = await new Deno.Command(cmd, {
    args,
    stdout: "null",
    stderr: "piped",
    cwd: project,
    env: { NO_COLOR: "1" },
  }).output();
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  return seconds;
}

/** The bucket (`d/NN/fNNNNN.1.0.0.txt`), the same files as a plain tree, and the manifest. */
async function build(): Promise<void> {
  const pins: Record<string, string> = {};
  for (let i = 0; i < files; i++) {
    const dir = `d/${String(i % 50).padStart(2, "0")}`;
    const name = `f${String(i).padStart(5, "0")}`;
    await Deno.mkdir(join(bucket, dir), { recursive: true });
    await Deno.mkdir(join(tree, dir), { recursive: true });
    const bytes = new TextEncoder().encode(`file ${i}\n`);
    await Deno.writeFile(join(bucket, dir, `${name}.1.0.0.txt`), bytes);
    await Deno.writeFile(join(tree, dir, `${name}.txt`), bytes);
    pins[`/${dir}/${name}.txt`] = "1.0.0";
  }
  await Deno.writeTextFile(manifest, JSON.stringify(pins, null, 2));
}

const remove = (path: string) => Deno.remove(path, { recursive: true }).catch(() => {});
const vc = (...args: string[]) =>
  timed(Deno.execPath(), ["run", "-A", join(project, "cli.ts"), ...args]);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number) => n.toFixed(2);

try {
  await build();
  const rows = new Map<string, number[]>();
  const add = (label: string, seconds: number) => {
    rows.set(label, [...(rows.get(label) ?? []), seconds]);
  };
  const ratios = { cold: [] as number[], warm: [] as number[], prefill: [] as number[] };
  for (let round = 1; round <= rounds; round++) {
    const cache = join(work, "cache");
    const out = join(work, "out");
    const copy = join(work, "copy");
    await remove(cache);
    await remove(out);
    const common = ["--manifest", manifest, "--bucket", `file://${bucket}`, "--cache-dir", cache];
    const cold = await vc("sync", out, ...common);
    await remove(out);
    const warm = await vc("sync", out, ...common);
    await remove(out);
    await remove(cache);
    const prefill = await vc("prefill", ...common);
    await remove(cache);
    await remove(copy);
    const cp = await timed("cp", ["-r", tree, copy]);
    await remove(copy);
    const cpFlushed = await timed("sh", ["-c", 'cp -r "$0" "$1" && sync -f "$1"', tree, copy]);
    await remove(copy);
    add("vc sync, cold cache", cold);
    add("vc sync, warm cache", warm);
    add("vc prefill", prefill);
    add("cp -r", cp);
    add("cp -r + sync -f", cpFlushed);
    ratios.cold.push(cold / cp);
    ratios.warm.push(warm / cp);
    ratios.prefill.push(prefill / cp);
    console.log(
      `round ${round}: cold ${fmt(cold)} s, warm ${fmt(warm)} s, prefill ${fmt(prefill)} s, ` +
        `cp -r ${fmt(cp)} s, cp -r + sync -f ${fmt(cpFlushed)} s`,
    );
  }
  console.log(`${files} files, ${rounds} rounds (median s, ms per file):`);
  for (const [label, times] of rows) {
    const m = median(times);
    console.log(`  ${label.padEnd(22)} ${fmt(m)} s  ${(m * 1000 / files).toFixed(3)} ms/file`);
  }
  console.log(
    `ratio to cp -r (median of rounds): vc sync cold ${fmt(median(ratios.cold))}×, ` +
      `warm ${fmt(median(ratios.warm))}×, vc prefill ${fmt(median(ratios.prefill))}×`,
  );
} finally {
  await remove(work);
  if (Deno.args[2] === undefined) await remove(base);
}
