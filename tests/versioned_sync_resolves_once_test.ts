/**
 * A sync of many small files spent ~7% of its time resolving links: each
 * copy out of the cache resolved its DEST file (failing, with a thrown error,
 * for a file not written yet, then its directory) and the cache dir, three
 * `realpath`s and ~20 `readlink`s a file. The copy's rename replaces a link
 * at DEST's file, never writes through it, so only DEST's directory needs
 * resolving, and the cache dir once per cache: one resolution a file. A DEST
 * whose directory leads into the cache is still refused
 * (`versioned_dest_link_into_bucket_test.ts`), and a link to a cached file
 * at an entry's place is replaced, the cached file untouched. The cache dir
 * is resolved again when it is found to be another directory (moved, a link
 * to it in its place): a DEST where it now leads is refused.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

const FILES = 6;

/** Runs `fn` counting the paths this process resolves (`Deno.realPath`, async and sync). */
async function countingRealPaths<T>(fn: () => Promise<T>): Promise<{ value: T; paths: string[] }> {
  const paths: string[] = [];
  const realPath = Deno.realPath;
  const realPathSync = Deno.realPathSync;
  Deno.realPath = (path) => {
    paths.push(String(path));
    return realPath(path);
  };
  Deno.realPathSync = (path) => {
    paths.push(String(path));
    return realPathSync(path);
  };
  try {
    return { value: await fn(), paths };
  } finally {
    Deno.realPath = realPath;
    Deno.realPathSync = realPathSync;
  }
}

Deno.test("a sync resolves each copy's directory once, not its file and the cache dir", async () => {
  await using ws = await workspace();
  for (let i = 0; i < FILES; i++) {
    const src = join(ws.dir, `f${i}.txt`);
    await Deno.writeTextFile(src, `file ${i}\n`);
    await ws.vc.add(`/d/f${i}.txt`, src);
  }
  const out = join(ws.dir, "out");
  // DEST's directory made, so each copy's directory resolves at the first try.
  await Deno.mkdir(join(out, "d"), { recursive: true });
  // Cached first: the count is the copies' own.
  await ws.vc.syncSettled(join(ws.dir, "warm"));
  const { value: report, paths } = await countingRealPaths(() => ws.vc.syncSettled(out));
  assertEquals(report.copied.length, FILES);
  assertEquals(report.failed, []);
  const inDest = paths.filter((p) => p.startsWith(join(out, "d")));
  assertEquals(inDest.length, FILES, `resolved: ${paths.join(", ")}`);
  assertEquals(inDest.filter((p) => p.endsWith(".txt")), [], "no DEST file resolved");
  const cacheDir = join(ws.dir, "cache");
  assertEquals(paths.filter((p) => p === cacheDir), [], "the cache dir resolved by the first sync");
});

Deno.test("a link to a cached file at an entry's place is replaced by the copy, the cached file kept", async () => {
  await using ws = await workspace();
  const src = join(ws.dir, "a.txt");
  await Deno.writeTextFile(src, "pinned\n");
  await ws.vc.add("/a.txt", src);
  const cached = await ws.vc.path("/a.txt");
  const out = join(ws.dir, "out");
  await Deno.mkdir(out);
  await Deno.symlink(cached, join(out, "a.txt"));
  const report = await ws.vc.syncSettled(out, { force: true });
  assertEquals(report.failed, []);
  assertEquals(report.copied.map((c) => c.path), ["/a.txt"]);
  assertEquals((await Deno.lstat(join(out, "a.txt"))).isFile, true);
  assertEquals(await Deno.readTextFile(join(out, "a.txt")), "pinned\n");
  assertEquals(await Deno.readTextFile(cached), "pinned\n");
});

Deno.test("a cache dir replaced by a link after a sync still refuses a DEST inside where it leads", async () => {
  await using ws = await workspace();
  const src = join(ws.dir, "a.txt");
  await Deno.writeTextFile(src, "pinned\n");
  await ws.vc.add("/a.txt", src);
  // The cache dir resolved by this sync's copies.
  await ws.vc.syncSettled(join(ws.dir, "out"));
  const cache = join(ws.dir, "cache");
  const moved = join(ws.dir, "moved");
  await Deno.rename(cache, moved);
  await Deno.symlink(moved, cache);
  const report = await ws.vc.syncSettled(join(moved, "x"));
  assertEquals(report.copied, []);
  assertEquals(report.failed.map((f) => (f.error as Error).name), ["InvalidInputError"]);
});
