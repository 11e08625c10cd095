/**
 * A partial download kept for resumption (`.<name>.vc-tmp-0-shared` and its
 * note `.<name>.vc-tmp-0-resume`) is no entry `prune` counts or lists; it
 * stayed for a day whatever the prune, so `vc cache prune --max-size 1MB`
 * after an interrupted 300 MB download left the cache at 144 MB. A prune to
 * a size now removes it (one still being written holds its lock and stays);
 * a prune by age removes one not written for that age, and keeps a younger one.
 * What it removed is reported: the report said `freed 0 B` for them.
 */
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { join } from "node:path";
import { exists } from "./path_exists.ts";

async function withKeptPartial(
  fn: (cacheDir: string, files: string[]) => Promise<void>,
): Promise<void> {
  const cacheDir = await Deno.makeTempDir({ prefix: "vc-prune-partial-" });
  try {
    const data = join(cacheDir, "s3", "b");
    await Deno.mkdir(join(cacheDir, ".meta", "s3", "b"), { recursive: true });
    await Deno.mkdir(data, { recursive: true });
    const partial = join(data, ".big.bin.vc-tmp-0-shared");
    const note = join(data, ".big.bin.vc-tmp-0-resume");
    await Deno.writeFile(partial, new Uint8Array(256 * 1024));
    await Deno.writeTextFile(note, "{}");
    // Written two hours ago: past every grace for a dead writer's files.
    const then = new Date(Date.now() - 2 * 3600_000);
    await Deno.utime(partial, then, then);
    await Deno.utime(note, then, then);
    await fn(cacheDir, [partial, note]);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
}

Deno.test("prune to a size removes a partial download kept for resumption", async () => {
  await withKeptPartial(async (cacheDir, files) => {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    await cache.prune({ maxBytes: 1_000_000 });
    for (const f of files) assert(!(await exists(f)), `${f} left`);
  });
});

Deno.test("prune by age removes a kept partial older than that, keeps a younger one", async () => {
  await withKeptPartial(async (cacheDir, files) => {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    await cache.prune({ olderThan: 3 * 3600 });
    assertEquals(await Promise.all(files.map(exists)), [true, true]);
    await cache.prune({ olderThan: 3600 });
    assertEquals(await Promise.all(files.map(exists)), [false, false]);
  });
});

Deno.test("prune reports the files and bytes of the leftover downloads it removed", async () => {
  await withKeptPartial(async (cacheDir) => {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const r = await cache.prune({ maxBytes: 1_000_000 });
    assertEquals(r.leftovers, { files: 2, bytes: 256 * 1024 + 2 });
    assertEquals(r.freedBytes, 0); // the entries' bytes: none were removed
  });
});

Deno.test("vc cache prune says the bytes of the leftover downloads it freed, in text and --json", async () => {
  for (const json of [false, true]) {
    await withKeptPartial(async (cacheDir) => {
      const io = memoryIo({ cwd: cacheDir, env: { HOME: cacheDir, VC_CACHE_DIR: cacheDir } });
      const args = ["cache", "prune", "--max-size", "1MB", ...(json ? ["--json"] : [])];
      assertEquals(await runCli(args, io), 0, io.stderr());
      if (json) {
        assertEquals(JSON.parse(io.stdout()).leftovers, { files: 2, bytes: 256 * 1024 + 2 });
      } else {
        const out = io.stdout() + io.stderr();
        assert(
          out.includes("removed 0 files and 2 leftover download files, freed 262.1 kB"),
          out,
        );
      }
    });
  }
});

Deno.test("prune --dry-run reports the leftover downloads it would remove, and keeps them", async () => {
  await withKeptPartial(async (cacheDir, files) => {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const r = await cache.prune({ maxBytes: 1_000_000, dryRun: true });
    assertEquals(r.leftovers, { files: 2, bytes: 256 * 1024 + 2 });
    assertEquals(await Promise.all(files.map(exists)), [true, true]);
    // By age: a partial younger than the age is neither removed nor reported.
    assertEquals((await cache.prune({ olderThan: 3 * 3600, dryRun: true })).leftovers, undefined);
    const io = memoryIo({ cwd: cacheDir, env: { HOME: cacheDir, VC_CACHE_DIR: cacheDir } });
    const args = ["cache", "prune", "--max-size", "1MB", "--dry-run"];
    assertEquals(await runCli(args, io), 0, io.stderr());
    const out = io.stdout();
    assert(
      out.includes("would remove 0 files and 2 leftover download files, would free 262.1 kB"),
      out,
    );
    assertEquals(await Promise.all(files.map(exists)), [true, true]);
  });
});
