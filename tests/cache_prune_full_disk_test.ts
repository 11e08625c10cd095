/**
 * `prune` and `rm` on a cache whose disk is full, down to the last byte of
 * its journal's last page: the removal line does not fit until something is
 * freed, so the data goes first (a record without data is a miss) and the
 * space comes back. Needs a small filesystem to fill: a tmpfs mount (root on
 * Linux); ignored elsewhere.
 */
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { listEntries } from "../src/cache/maintenance.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canMount, fillDisk, tmpfsScratch } from "./mounts.ts";

/** Journals under `dir`. */
function journals(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...journals(p));
    else if (e.name.startsWith("%records")) out.push(p);
  }
  return out;
}

/** Pads `journal` with dead lines to a multiple of 64 KiB (a page boundary for any page size). */
async function padToPage(journal: string): Promise<void> {
  const size = (await Deno.stat(journal)).size;
  let pad = (65536 - size % 65536) % 65536;
  if (pad > 0 && pad < 8) pad += 65536;
  const lines: string[] = [];
  for (let i = 0; pad > 0; i++) {
    const len = pad >= 200 && pad - 100 >= 8 ? 100 : pad;
    lines.push(`${"p".repeat(len - 3 - String(i).length)}${i}\t-\n`);
    pad -= len;
  }
  await Deno.writeTextFile(journal, lines.join(""), { append: true });
}

Deno.test({
  name: "prune and rm free space on a full disk, the journal's last page full too",
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-full-prune-");
    const { dir, mnt } = scratch;
    const src = join(dir, "src");
    await Deno.mkdir(src);
    const cacheDir = join(mnt, "cache");
    const uris: string[] = [];
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      for (let i = 0; i < 30; i++) {
        const p = join(src, `f${i}.bin`);
        await Deno.writeFile(p, new Uint8Array(8192).fill(i));
        uris.push(pathToFileURL(p).href);
        await cache.cache(uris[i]!);
      }
    }
    const [journal] = journals(join(cacheDir, ".meta"));
    await padToPage(journal!);
    await fillDisk(join(mnt, "filler"));

    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    // Without room for its removal line, rm still removes the entry.
    assert(await cache.delete(uris[29]!));
    const pruned = await cache.prune({ maxBytes: 10 * 8192 });
    assertEquals(pruned.removed.length, 19);
    const left = await listEntries(cacheDir);
    assertEquals(left.length, 10);
    // Every entry left is served as it was; the removed ones are misses.
    for (const e of left) {
      const i = Number(/f(\d+)\.bin$/.exec(e.uri)![1]);
      assertEquals(await Deno.readFile(e.path), new Uint8Array(8192).fill(i));
    }
    assert(!left.some((e) => e.uri === uris[29] || e.uri === uris[0]));
  },
});
