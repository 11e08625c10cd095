import { checkLock, fillLock, VersionedCache } from "../src/versioned/mod.ts";
import { AssetCache } from "../mod.ts";
import { assert, assertEquals } from "./assert.ts";

/** Larger than a file read's 8 MiB chunk, so a whole-file read is told partway. */
const BIG_SIZE = 12 * 1024 * 1024;

/**
 * Runs `fn` with a VersionedCache whose bucket holds `/big.bin`
 * ({@linkcode BIG_SIZE}), published through a cache of its own, so `vc`
 * downloads it cold.
 */
async function withPublishedBig(fn: (vc: VersionedCache, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(BIG_SIZE).fill(7));
    await using pub = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: `${dir}/bucket`,
      cache: new AssetCache({ cacheDir: `${dir}/c1`, configPath: false }),
    });
    await pub.add("/big.bin", `${dir}/big.bin`);
    await using vc = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: `${dir}/bucket`,
      cache: new AssetCache({ cacheDir: `${dir}/c2`, configPath: false }),
    });
    await fn(vc, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// On a terminal `vc sync` of a cold cache drew nothing until the first entry
// was copied (minutes for one large asset): progress must start at once and
// report bytes while an entry downloads.
Deno.test("sync reports progress at the start and bytes before an entry completes", async () => {
  await withPublishedBig(async (vc, dir) => {
    const seen: Array<{ done: number; total: number; bytes?: number }> = [];
    await vc.sync(`${dir}/out`, { onProgress: (p) => seen.push({ ...p }) });
    assertEquals(seen[0]?.done, 0, JSON.stringify(seen[0]));
    assert(
      seen.some((p) => p.done === 0 && (p.bytes ?? 0) > 0),
      `no byte progress before the entry completed: ${JSON.stringify(seen)}`,
    );
    assertEquals(seen.at(-1)?.done, 1);
    assertEquals(seen.at(-1)?.bytes, BIG_SIZE);
  });
});

// A sync's bar counted entries only while one large entry downloaded: no
// percentage of it, and an ETA that grew as the download went on (prefill
// drew its items' own). The download is the entry's `downloading` step, then
// comes its `copying`: the cached copy is checked against its record, and
// hashed for the sync's records (which tell a later edit from vc's own
// copy), in the read that copies it, with no `checking` or `hashing` read.
Deno.test("sync reports an entry's download as its downloading step", async () => {
  await withPublishedBig(async (vc, dir) => {
    const steps: Array<{ name: string; bytes: number; total: number }> = [];
    await vc.sync(`${dir}/out`, {
      onProgress: (p) => {
        if (p.step !== undefined) steps.push({ ...p.step });
      },
    });
    const shown = JSON.stringify(steps.slice(0, 4)) + "…" + JSON.stringify(steps.slice(-2));
    const downloading = steps.filter((s) => s.name === "downloading");
    assert(downloading.length > 0, `no downloading step: ${shown}`);
    assert(downloading.every((s) => s.total === BIG_SIZE), shown);
    assertEquals(downloading.at(-1)?.bytes, BIG_SIZE, shown);
    const names = [...new Set(steps.map((s) => s.name))];
    assertEquals(names, ["downloading", "copying"], shown);
    const copying = steps.filter((s) => s.name === "copying");
    assert(copying.every((s) => s.total === BIG_SIZE), shown);
    assertEquals(copying.at(-1)?.bytes, BIG_SIZE, shown);
  });
});

// `vc verify` hashes every cached copy (seconds per large one): its bar shows
// from the start and reaches the total, failed entries included.
Deno.test("verify reports progress from the start to the total, failed entries counted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.csv`, "a");
    await using vc = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: `${dir}/bucket`,
      cache: new AssetCache({ cacheDir: `${dir}/c`, configPath: false }),
    });
    await vc.add("/a.csv", `${dir}/a.csv`);
    // A second entry whose object does not exist.
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/m.json`));
    await Deno.writeTextFile(`${dir}/m.json`, JSON.stringify({ ...manifest, "/b.csv": "1.0.0" }));
    const seen: Array<{ done: number; total: number }> = [];
    const results = await vc.verify({ onProgress: (p) => seen.push({ ...p }) });
    assertEquals(results.map((r) => r.ok), [true, false]);
    assertEquals(seen[0], { done: 0, total: 2 });
    assertEquals(seen.at(-1)?.done, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// `vc lock --check` downloads every locked entry: its bar moves with the bytes.
Deno.test("checkLock reports bytes while an entry downloads", async () => {
  await withPublishedBig(async (vc) => {
    const seen: Array<{ done: number; total: number; bytes?: number }> = [];
    const results = await checkLock(vc, { onProgress: (p) => seen.push({ ...p }) });
    assertEquals(results.map((r) => r.status), ["ok"]);
    assert(
      seen.some((p) => p.done === 0 && (p.bytes ?? 0) > 0),
      `no byte progress before the entry completed: ${JSON.stringify(seen)}`,
    );
    assertEquals(seen.at(-1)?.done, 1);
    assertEquals(seen.at(-1)?.bytes, BIG_SIZE);
  });
});

// `vc verify` reads each cached copy whole (its MD5, and its SHA-256 when it
// is locked): seconds a GB, in which `done` stood still. The read is told as
// the entry's `checking` step, from 0 to the copy's size.
Deno.test("verify reports the read of a cached copy as the entry's checking step", async () => {
  await withPublishedBig(async (vc) => {
    await vc.path("/big.bin");
    const size = BIG_SIZE;
    const steps: Array<{ name: string; bytes: number; total: number }> = [];
    const results = await vc.verify({
      onProgress: (p) => {
        if (p.step === undefined) return;
        assertEquals([p.current, p.done], ["/big.bin", 0]);
        steps.push({ ...p.step });
      },
    });
    assertEquals(results.map((r) => r.ok), [true]);
    const shown = JSON.stringify(steps);
    assertEquals(steps[0], { name: "checking", bytes: 0, total: size }, shown);
    assert(steps.some((s) => s.bytes > 0 && s.bytes < size), `read partway: ${shown}`);
    assertEquals(steps.at(-1), { name: "checking", bytes: size, total: size }, shown);
  });
});

// `vc lock` reads each entry's copy whole for its SHA-256 (a cached one too,
// with nothing to download): the read is told as the entry's `hashing` step.
Deno.test("fillLock reports the hashing of an entry's cached copy as its step", async () => {
  await withPublishedBig(async (vc, dir) => {
    await vc.path("/big.bin");
    // Locked by add: unlocked again, so fillLock has the entry to hash.
    for await (const e of Deno.readDir(dir)) {
      if (e.name.endsWith(".lock.json")) await Deno.remove(`${dir}/${e.name}`);
    }
    const size = BIG_SIZE;
    const steps: Array<{ name: string; bytes: number; total: number }> = [];
    const results = await fillLock(vc, {
      onProgress: (p) => {
        if (p.step === undefined) return;
        assertEquals([p.current, p.done], ["/big.bin", 0]);
        steps.push({ ...p.step });
      },
    });
    assertEquals(results.map((r) => r.status), ["added"]);
    const shown = JSON.stringify(steps);
    assertEquals(steps[0], { name: "hashing", bytes: 0, total: size }, shown);
    assert(steps.some((s) => s.bytes > 0 && s.bytes < size), `read partway: ${shown}`);
    assertEquals(steps.at(-1), { name: "hashing", bytes: size, total: size }, shown);
  });
});
