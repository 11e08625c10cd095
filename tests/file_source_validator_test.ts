/**
 * Revalidating a `file://` source without a sidecar beside it: the cache
 * records the store's validator of the file's state (device, inode, size,
 * mtime, ctime) and, while it is unchanged, does not read the file again.
 * A file changed at the same size with its mtime forced back is noticed
 * (its ctime moved), and a state recorded within the racy window of its
 * last change is never trusted: it is hashed again.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import { decodeMeta, metaJson } from "../src/cache/entry_meta.ts";

/** Runs `fn` counting the opens of files named `name` (the store reads content through them). */
async function countingOpens(name: string, fn: () => Promise<void>): Promise<number> {
  const open = Deno.open;
  let opens = 0;
  Deno.open = (path: string | URL, options?: Deno.OpenOptions) => {
    if (String(path).endsWith(`/${name}`)) opens++;
    return open(path, options);
  };
  try {
    await fn();
  } finally {
    Deno.open = open;
  }
  return opens;
}

/** A revalidation on every call, in a cache of its own process's making (no memory shared). */
function revalidating(dir: string): AssetCache {
  return new AssetCache({ cacheDir: join(dir, "cache"), configPath: false, timeout: 0 });
}

Deno.test("file:// revalidation trusts an unchanged settled file, notices changes, re-hashes racy ones", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "vc_validator_" });
  try {
    const src = join(await Deno.realPath(dir), "src");
    await Deno.mkdir(src);
    const fill = (c: string) => c.repeat(64 * 1024);
    await Deno.writeTextFile(join(src, "stable.txt"), fill("a"));
    await Deno.writeTextFile(join(src, "edited.txt"), fill("b"));
    // Settled: both last changed more than the racy window (and ctime's second) ago.
    await new Promise((r) => setTimeout(r, SETTLE_MS + 1200));
    const uri = (name: string) => pathToFileURL(join(src, name)).href;

    await t.step("unchanged: revalidated without reading the file", async () => {
      {
        await using first = revalidating(dir);
        await first.cache(uri("stable.txt"));
      }
      await using again = revalidating(dir);
      const opens = await countingOpens("stable.txt", async () => {
        assertEquals(await Deno.readTextFile(await again.cache(uri("stable.txt"))), fill("a"));
        assertEquals(await Deno.readTextFile(await again.cache(uri("stable.txt"))), fill("a"));
      });
      assertEquals(opens, 0);
    });

    await t.step(
      "same size, mtime forced back: the ctime tells, the new content is served",
      async () => {
        const path = join(src, "edited.txt");
        {
          await using first = revalidating(dir);
          await first.cache(uri("edited.txt"));
        }
        const before = await Deno.stat(path);
        await Deno.writeTextFile(path, fill("c"));
        await Deno.utime(path, before.atime!, before.mtime!);
        assertEquals((await Deno.stat(path)).mtime?.getTime(), before.mtime?.getTime());
        await using again = revalidating(dir);
        assertEquals(await Deno.readTextFile(await again.cache(uri("edited.txt"))), fill("c"));
      },
    );

    await t.step(
      "changed within the racy window: hashed again, the new content served",
      async () => {
        const path = join(src, "racy.txt");
        await Deno.writeTextFile(path, fill("d"));
        {
          await using first = revalidating(dir);
          await first.cache(uri("racy.txt"));
        }
        // Same size, same mtime, most likely the same ctime second: a state
        // that looks unchanged, which only the racy rule catches.
        const before = await Deno.stat(path);
        await Deno.writeTextFile(path, fill("e"));
        await Deno.utime(path, before.atime!, before.mtime!);
        await using again = revalidating(dir);
        const opens = await countingOpens("racy.txt", async () => {
          assertEquals(await Deno.readTextFile(await again.cache(uri("racy.txt"))), fill("e"));
        });
        assert(opens > 0, "a racy state is read again");
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("entry records: the validator round-trips, old records without it still read, a bad one is refused", () => {
  const meta = { uri: "file:///x", etag: "e", size: 1, validatedAt: 0 };
  assertEquals(
    decodeMeta(metaJson({ ...meta, validator: "fs1:1:2:1:3:4" }))?.validator,
    "fs1:1:2:1:3:4",
  );
  const old = decodeMeta(metaJson(meta));
  assert(old !== undefined && !("validator" in old));
  const bad = JSON.parse(metaJson(meta));
  assertEquals(decodeMeta(JSON.stringify({ ...bad, validator: 5 })), undefined);
});
