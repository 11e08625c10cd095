/**
 * `vc sync` of one large entry (`VersionedCache.syncSettled`, a `file://`
 * bucket) against plain copies of the same cached file in the same run:
 *
 * - a cold sync (empty cache, empty DEST): the download into the cache and
 *   the copy into DEST, each timed from the sync's own progress steps;
 * - a warm sync (cache full, DEST empty): the check of the cached copy, the
 *   copy (flushed before its rename) and the SHA-256 for `.vc-sync.json`;
 * - two re-syncs of the DEST it wrote (nothing changed): each hashes DEST's
 *   file while it is within ~3 s of the write (the timestamps' grain: a
 *   same-size edit would keep its stat), so the second, run at once, may
 *   hash too; one later than that is a stat;
 * - peers, each right before vc's warm sync: `cp`, `cp --reflink=auto`,
 *   `Deno.copyFile` (`copy_file_range` on Linux), `cp` followed by
 *   `sync -d` of the copy (flushed, as vc's is), and `dd bs=1M
 *   conv=fdatasync`: vc's own way of writing (`read` + 1 MiB `write`s, one
 *   flush) in C, so what the kernel charges that way (on the QA VM, `write`
 *   slows ~5–10× once a process tree has written ~1 GiB, while
 *   `copy_file_range` does not) is told from what vc adds. None of them
 *   checks a byte.
 *
 * It prints each round's times and the ratios vc / `cp`, vc / (`cp` +
 * flush) and vc / `dd`, medians of the rounds. The file is made with random bytes, at
 * most 1 GiB, and removed with everything else at the end.
 *
 *     deno run -A scripts/bench/sync_copy.ts [dir] [MiB (≤ 1024, default 1024)] [rounds (default 2)]
 *
 * @module
 */
import { AssetCache } from "../../src/cache/asset_cache.ts";
import { VersionedCache } from "../../src/versioned/versioned_cache.ts";

const base = Deno.args[0] ?? (await Deno.makeTempDir());
const mib = Math.min(1024, Number(Deno.args[1] ?? 1024));
const rounds = Math.max(1, Number(Deno.args[2] ?? 2));
const work = await Deno.makeTempDir({ dir: base, prefix: "sync_copy_bench_" });

async function run(cmd: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(cmd, { args, stderr: "piped" }).output();
  if (code !== 0) throw new Error(`${cmd} failed: ${new TextDecoder().decode(stderr)}`);
}

async function wall(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Runs `fn` after a `sync` (dirty pages of the step before written out), timed. */
async function flushedThen(fn: () => Promise<unknown>): Promise<number> {
  await run("sync", []);
  return await wall(fn);
}

async function makeFile(path: string): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < mib; i++) {
      for (let at = 0; at < chunk.length; at += 65536) {
        crypto.getRandomValues(chunk.subarray(at, at + 65536));
      }
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    }
  } finally {
    file.close();
  }
}

type Progress = { step?: { name: string } };

/**
 * Runs a sync after a `sync` of the system (dirty pages of the step before
 * written out), timed, with how long each of its steps was reported.
 */
async function timedSteps(
  fn: (onProgress: (p: Progress) => void) => Promise<unknown>,
): Promise<{ seconds: number; steps: string }> {
  const steps = new Map<string, { first: number; last: number }>();
  const seconds = await flushedThen(() =>
    fn((p) => {
      if (p.step === undefined) return;
      const now = performance.now();
      const seen = steps.get(p.step.name);
      if (seen === undefined) steps.set(p.step.name, { first: now, last: now });
      else seen.last = now;
    })
  );
  const named = [...steps].map(([name, t]) =>
    `${name} ${((t.last - t.first) / 1000).toFixed(2)} s`
  );
  return { seconds, steps: named.join(", ") };
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (x: number) => `${x.toFixed(2)} s`;

try {
  const source = `${work}/source.bin`;
  await makeFile(source);
  await Deno.mkdir(`${work}/bucket`);
  {
    // Published through a cache of its own: the timed one starts empty.
    await using vc = new VersionedCache({
      manifest: `${work}/m.json`,
      bucket: `${work}/bucket`,
      cache: new AssetCache({ cacheDir: `${work}/publish-cache`, configPath: false }),
    });
    await vc.add("/big.bin", source);
  }
  await Deno.remove(`${work}/publish-cache`, { recursive: true }).catch(() => {});
  await Deno.remove(source);
  const cacheDir = `${work}/cache`;
  const ratios = { cp: [] as number[], cpFlushed: [] as number[], dd: [] as number[] };
  for (let round = 1; round <= rounds; round++) {
    await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
    await using vc = new VersionedCache({
      manifest: `${work}/m.json`,
      bucket: `${work}/bucket`,
      cache: new AssetCache({ cacheDir, configPath: false }),
    });
    const cold = await timedSteps((onProgress) => vc.syncSettled(`${work}/cold`, { onProgress }));
    const cached = await vc.path("/big.bin");
    const cp = await flushedThen(() => run("cp", [cached, `${work}/cp.bin`]));
    const reflink = await flushedThen(() =>
      run("cp", ["--reflink=auto", cached, `${work}/reflink.bin`])
    );
    const copyFile = await flushedThen(() => Deno.copyFile(cached, `${work}/copyfile.bin`));
    const cpFlushed = await flushedThen(async () => {
      await run("cp", [cached, `${work}/flushed.bin`]);
      await run("sync", ["-d", `${work}/flushed.bin`]);
    });
    const dd = await flushedThen(() =>
      run("dd", [`if=${cached}`, `of=${work}/dd.bin`, "bs=1M", "conv=fdatasync", "status=none"])
    );
    const warm = await timedSteps((onProgress) => vc.syncSettled(`${work}/warm`, { onProgress }));
    let first: { copied: unknown[]; unchanged: unknown[] } | undefined;
    const again = await wall(async () => first = await vc.syncSettled(`${work}/warm`));
    const third = await wall(() => vc.syncSettled(`${work}/warm`));
    ratios.cp.push(warm.seconds / cp);
    ratios.cpFlushed.push(warm.seconds / cpFlushed);
    ratios.dd.push(warm.seconds / dd);
    console.log(
      `round ${round}: cold vc sync ${s(cold.seconds)} (${cold.steps}); warm vc sync ${
        s(warm.seconds)
      } (${warm.steps}); re-sync ${
        (again * 1000).toFixed(1)
      } ms (unchanged ${first?.unchanged.length}, copied ${first?.copied.length}), again ${
        (third * 1000).toFixed(1)
      } ms | cp ${s(cp)}, cp --reflink=auto ${s(reflink)}, Deno.copyFile ${
        s(copyFile)
      }, cp + sync -d ${s(cpFlushed)}, dd bs=1M conv=fdatasync ${s(dd)} | warm vc / cp ${
        (warm.seconds / cp).toFixed(2)
      }×, / (cp + sync -d) ${(warm.seconds / cpFlushed).toFixed(2)}×, / dd ${
        (warm.seconds / dd).toFixed(2)
      }×`,
    );
    for (
      const name of [
        "cp.bin",
        "reflink.bin",
        "copyfile.bin",
        "flushed.bin",
        "dd.bin",
        "cold",
        "warm",
      ]
    ) {
      await Deno.remove(`${work}/${name}`, { recursive: true });
    }
  }
  console.log(
    `${mib} MiB, ${rounds} rounds: warm vc sync / cp ${median(ratios.cp).toFixed(2)}×, / (cp + ` +
      `sync -d) ${median(ratios.cpFlushed).toFixed(2)}×, / dd ${
        median(ratios.dd).toFixed(2)
      }× (medians)`,
  );
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
