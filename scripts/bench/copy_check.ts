/**
 * The check of a large cached copy of a locked version (its record has the
 * ETag's MD5 and the lock's SHA-256), as `copyVerified` (`vc sync`, `vc get`)
 * and `vc cache verify` run it: wall time, the process's CPU time (user and
 * system, from /proc: less swayed by other load than the wall time) and how
 * many times the progress went back to 0 (how many reads of the file).
 * 1 GiB by default.
 *
 * Then `vc sync` of that file, cached, into an empty DEST (`VersionedCache.sync`:
 * the check of the cached copy, the copy, the SHA-256 for `.vc-sync.json`),
 * each round paired with two peers run right before it on the same file:
 * `cp` (no flush) and `dd conv=fdatasync` (a copy flushed as vc's is). It
 * prints the times, the CPU times (vc's, and each peer process's), how many
 * times the cached copy and the copy in DEST were opened for reading, and
 * the ratios vc / peer (medians of the pairs; on a loaded machine the CPU
 * ratio is the steadier one). Only the public API is used, so the same script measures an older
 * checkout (copy it there).
 *
 * Then, each round, a re-sync into that DEST (nothing changed: the file is
 * as the sync wrote it, the pin the same), paired with the same re-run of a
 * peer that skips unchanged files, run right after it: `rsync -a` when it is
 * installed, else `cp -u`, else a plain `cp` (which copies again). It
 * prints the times, what the re-sync left unchanged and copied, how often
 * the cached copy and DEST's file were opened, and the ratio vc / peer.
 *
 * With `--small N`, only a re-sync of N × 4 KiB entries (a `file://` bucket,
 * no lock file) into a DEST synced once, each round paired with the re-run
 * of `cp -u -r` of the same files: wall and CPU time of each (vc's process,
 * the peer's from its waited-for child times, a mean of 20 re-runs), what the re-sync left
 * unchanged, and the CPU ratio vc / peer (the per-entry work of a sync whose
 * files are all unchanged).
 *
 *     deno run -A scripts/bench/copy_check.ts [dir] [MiB] [--sync-only]
 *     deno run -A scripts/bench/copy_check.ts [dir] --small 1000 [rounds]
 *
 * @module
 */
import { problemWithCopy } from "../../src/cache/record_check.ts";
import { VersionedCache } from "../../src/versioned/versioned_cache.ts";
import { AssetCache } from "../../src/cache/asset_cache.ts";

// This process's user and system CPU seconds so far, and its waited-for
// children's (Linux; zeros elsewhere).
function cpu(): { user: number; sys: number; children: number } {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
    return {
      user: Number(fields[11]) / 100,
      sys: Number(fields[12]) / 100,
      children: (Number(fields[13]) + Number(fields[14])) / 100,
    };
  } catch {
    return { user: 0, sys: 0, children: 0 };
  }
}

const args = Deno.args.filter((a) => a !== "--sync-only");
const syncOnly = args.length !== Deno.args.length;
const small = args.indexOf("--small");
const dir = (small === 0 ? undefined : args[0]) ?? (await Deno.makeTempDir());
const mib = Number(args[1] ?? 1024);
const path = `${dir}/copy-check.bin`;
if (small >= 0) {
  await smallResync(Number(args[small + 1] ?? 1000), Number(args[small + 2] ?? 5));
  Deno.exit(0);
}
try {
  {
    using file = await Deno.open(path, { write: true, create: true, truncate: true });
    const chunk = crypto.getRandomValues(new Uint8Array(65536));
    const block = new Uint8Array(1024 * 1024);
    for (let i = 0; i < block.length; i += chunk.length) block.set(chunk, i);
    for (let i = 0; i < mib; i++) {
      block[0] = i & 255;
      block[1] = i >> 8;
      await file.write(block);
    }
  }
  const { createHash } = await import("node:crypto");
  const md5 = createHash("md5"), sha = createHash("sha256");
  {
    using file = await Deno.open(path);
    const buf = new Uint8Array(8 * 1024 * 1024);
    for (let n; (n = await file.read(buf)) !== null;) {
      md5.update(buf.subarray(0, n));
      sha.update(buf.subarray(0, n));
    }
  }
  const meta = { size: mib * 1024 * 1024, etag: md5.digest("hex"), sha256: sha.digest("hex") };
  for (let round = 1; round <= (syncOnly ? 0 : 3); round++) {
    let reads = 0;
    const start = performance.now();
    const before = cpu();
    const problem = await problemWithCopy(path, meta, {
      onProgress: (p) => {
        if (p.bytes === 0) reads++;
      },
    });
    const ms = performance.now() - start;
    const after = cpu();
    console.log(
      `round ${round}: ${(ms / 1000).toFixed(2)} s, user ${
        (after.user - before.user).toFixed(2)
      } s, ` +
        `sys ${(after.sys - before.sys).toFixed(2)} s, reads ${reads}, ${problem ?? "ok"}`,
    );
  }
  await syncRounds(path, 3);
} finally {
  await Deno.remove(path).catch(() => {});
}

/** Runs `fn`, counting the opens for reading of each path in this process. */
async function countingReads(fn: () => Promise<unknown>): Promise<Map<string, number>> {
  const reads = new Map<string, number>();
  const open = Deno.open;
  Deno.open = (p, options) => {
    if (options === undefined || (options.read === true && !options.write && !options.append)) {
      reads.set(String(p), (reads.get(String(p)) ?? 0) + 1);
    }
    return open(p, options);
  };
  try {
    await fn();
  } finally {
    Deno.open = open;
  }
  return reads;
}

async function wall(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function run(cmd: string, cmdArgs: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(cmd, { args: cmdArgs, stderr: "piped" }).output();
  if (code !== 0) throw new Error(`${cmd} failed: ${new TextDecoder().decode(stderr)}`);
}

/**
 * The peer a re-sync is held to: `rsync -a` when installed, else `cp -u`
 * (GNU cp: copies only when the source is newer), else a plain `cp`.
 */
async function resyncPeer(): Promise<string[]> {
  // A missing command throws at the spawn, before any promise.
  const works = async (cmd: string, cmdArgs: string[]) => {
    try {
      const o = await new Deno.Command(cmd, { args: cmdArgs, stdout: "null", stderr: "null" })
        .output();
      return o.code === 0;
    } catch {
      return false;
    }
  };
  if (await works("rsync", ["--version"])) return ["rsync", "-a"];
  if (await works("cp", ["-u", "--version"])) return ["cp", "-u"];
  return ["cp"];
}

/** `vc sync` of the file at `source`, cached, against `cp` and `dd conv=fdatasync`. */
async function syncRounds(source: string, rounds: number): Promise<void> {
  const work = `${dir}/copy-check-sync`;
  await Deno.mkdir(`${work}/bucket`, { recursive: true });
  try {
    const cache = new AssetCache({ cacheDir: `${work}/cache`, configPath: false });
    await using vc = new VersionedCache({
      manifest: `${work}/m.json`,
      bucket: `${work}/bucket`,
      cache,
    });
    await vc.add("/big.bin", source);
    const cached = await vc.path("/big.bin");
    const peer = await resyncPeer();
    const resyncRatios: number[] = [];
    const ratios: { cp: number[]; dd: number[] } = { cp: [], dd: [] };
    const cpuRatios: { cp: number[]; dd: number[] } = { cp: [], dd: [] };
    for (let round = 1; round <= rounds; round++) {
      const out = `${work}/out-${round}`;
      await run("sync", []);
      const cpStart = cpu().children;
      const cp = await wall(() => run("cp", [cached, `${work}/cp.bin`]));
      const cpCpu = cpu().children - cpStart;
      await run("sync", []);
      const ddStart = cpu().children;
      const dd = await wall(() =>
        run("dd", [`if=${cached}`, `of=${work}/dd.bin`, "bs=8M", "conv=fdatasync", "status=none"])
      );
      const ddCpu = cpu().children - ddStart;
      await run("sync", []);
      const before = cpu();
      let seconds = 0;
      const reads = await countingReads(async () => seconds = await wall(() => vc.sync(out)));
      const after = cpu();
      const dest = `${out}/big.bin`;
      ratios.cp.push(seconds / cp);
      ratios.dd.push(seconds / dd);
      const vcCpu = after.user - before.user + after.sys - before.sys;
      cpuRatios.cp.push(vcCpu / Math.max(cpCpu, 0.01));
      cpuRatios.dd.push(vcCpu / Math.max(ddCpu, 0.01));
      console.log(
        `sync round ${round}: vc sync ${seconds.toFixed(2)} s (user ${
          (after.user - before.user).toFixed(2)
        } s, sys ${(after.sys - before.sys).toFixed(2)} s; reads of the cached copy ${
          reads.get(cached) ?? 0
        }, of the copy in DEST ${reads.get(dest) ?? 0}); cp ${cp.toFixed(2)} s (CPU ${
          cpCpu.toFixed(2)
        } s), dd conv=fdatasync ${dd.toFixed(2)} s (CPU ${ddCpu.toFixed(2)} s); ratio ${
          (seconds / cp).toFixed(2)
        }× cp, ${(seconds / dd).toFixed(2)}× dd`,
      );
      // The re-sync: nothing changed since. The peer's first run (its own
      // DEST, as vc's first sync) is not timed; its re-run is.
      const peerDest = `${work}/peer-${round}.bin`;
      await run(peer[0]!, [...peer.slice(1), cached, peerDest]);
      await run("sync", []);
      let again = 0;
      let report: { copied: unknown[]; unchanged?: unknown[] } | undefined;
      const againReads = await countingReads(async () =>
        again = await wall(async () => report = await vc.syncSettled(out))
      );
      const peerAgain = await wall(() => run(peer[0]!, [...peer.slice(1), cached, peerDest]));
      resyncRatios.push(again / peerAgain);
      console.log(
        `re-sync round ${round}: vc sync again ${(again * 1000).toFixed(1)} ms (unchanged ${
          report?.unchanged?.length ?? "n/a"
        }, copied ${report?.copied.length}; reads of the cached copy ${
          againReads.get(cached) ?? 0
        }, of the copy in DEST ${againReads.get(dest) ?? 0}); ${peer.join(" ")} again ${
          (peerAgain * 1000).toFixed(1)
        } ms; ratio ${(again / peerAgain).toFixed(2)}× ${peer.join(" ")}`,
      );
      await Deno.remove(peerDest);
      await Deno.remove(out, { recursive: true });
    }
    const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(
      `vc sync / cp: wall ${median(ratios.cp).toFixed(2)}×, CPU ${
        median(cpuRatios.cp).toFixed(2)
      }× (medians of ${rounds}); vc sync / dd conv=fdatasync: wall ${
        median(ratios.dd).toFixed(2)
      }×, CPU ${median(cpuRatios.dd).toFixed(2)}×`,
    );
    console.log(
      `vc re-sync / ${peer.join(" ")} re-run: wall ${
        median(resyncRatios).toFixed(2)
      }× (median of ${rounds})`,
    );
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/**
 * A re-sync of `count` unchanged 4 KiB entries, against `cp -u -r` re-run
 * over the same files, `rounds` times.
 */
async function smallResync(count: number, rounds: number): Promise<void> {
  const work = await Deno.makeTempDir({ dir, prefix: "copy-check-small-" });
  try {
    await Deno.mkdir(`${work}/bucket/d`, { recursive: true });
    await Deno.mkdir(`${work}/src/d`, { recursive: true });
    const manifest: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const bytes = crypto.getRandomValues(new Uint8Array(4096));
      await Deno.writeFile(`${work}/bucket/d/f${i}.1.0.0.bin`, bytes);
      await Deno.writeFile(`${work}/src/d/f${i}.bin`, bytes);
      manifest[`/d/f${i}.bin`] = "1.0.0";
    }
    await Deno.writeTextFile(`${work}/m.json`, JSON.stringify(manifest));
    const cache = new AssetCache({ cacheDir: `${work}/cache`, configPath: false });
    await using vc = new VersionedCache({
      manifest: `${work}/m.json`,
      bucket: `${work}/bucket`,
      cache,
      lock: false,
    });
    const first = await vc.syncSettled(`${work}/out`);
    if (first.failed.length > 0) throw first.failed[0]!.error;
    await run("cp", ["-r", `${work}/src`, `${work}/peer`]);
    const ratios: number[] = [];
    const wallRatios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const before = cpu();
      let report: { copied: unknown[]; unchanged?: unknown[] } | undefined;
      const seconds = await wall(async () => report = await vc.syncSettled(`${work}/out`));
      const after = cpu();
      const vcCpu = after.user - before.user + after.sys - before.sys;
      // The peer run 20 times, its mean: /proc counts CPU time in 10 ms ticks.
      const peerStart = cpu().children;
      const peer = await wall(async () => {
        for (let i = 0; i < 20; i++) await run("cp", ["-u", "-r", `${work}/src/.`, `${work}/peer`]);
      }) / 20;
      const peerCpu = (cpu().children - peerStart) / 20;
      ratios.push(vcCpu / Math.max(peerCpu, 0.0005));
      wallRatios.push(seconds / peer);
      console.log(
        `small re-sync round ${round}: vc ${(seconds * 1000).toFixed(1)} ms (CPU ${
          (vcCpu * 1000).toFixed(0)
        } ms; unchanged ${report?.unchanged?.length ?? "n/a"}, copied ${report?.copied.length}); ` +
          `cp -u -r ${(peer * 1000).toFixed(1)} ms (CPU ${(peerCpu * 1000).toFixed(1)} ms); ` +
          `ratio: wall ${(seconds / peer).toFixed(1)}×, CPU ${
            (vcCpu / Math.max(peerCpu, 0.0005)).toFixed(1)
          }×`,
      );
    }
    const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(
      `vc re-sync of ${count} × 4 KiB / cp -u -r re-run: wall ${
        median(wallRatios).toFixed(1)
      }×, CPU ${median(ratios).toFixed(1)}× (medians of ${rounds})`,
    );
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
