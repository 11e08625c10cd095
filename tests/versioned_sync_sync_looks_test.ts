/**
 * A sync of many small files is bound by its main thread: each async file
 * operation costs ~15 µs of CPU to hand to one of Deno's I/O threads and
 * back, where a look answered from memory (an `lstat` of a directory entry
 * just looked at, an `fstat` of an open file, a `realpath` of DEST's
 * directory) costs ~2 µs done in place. Each copy out of the cache made
 * seven such async looks (the cache dir's two stats, DEST's directory's
 * `realpath`, the records' and the copy's `lstat`s of DEST's file, the
 * source's `fstat`, the record's `lstat` after the rename) and a `chmod` of
 * its temp file that the umask made needless: ~25% of a warm sync's CPU.
 * They are synchronous now (the `chmod` made only when the umask narrowed
 * the mode); the writes (temp file, flush, rename) stay as they were.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

const FILES = 6;

/** Runs `fn` counting the paths of the async looks and `chmod`s this process makes. */
async function countingAsyncLooks<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; looks: string[]; chmods: string[]; fstats: number }> {
  const looks: string[] = [];
  const chmods: string[] = [];
  let fstats = 0;
  const { lstat, stat, realPath, chmod } = Deno;
  const fileStat = Deno.FsFile.prototype.stat;
  Deno.lstat = (path) => (looks.push(String(path)), lstat(path));
  Deno.stat = (path) => (looks.push(String(path)), stat(path));
  Deno.realPath = (path) => (looks.push(String(path)), realPath(path));
  Deno.chmod = (path, mode) => (chmods.push(String(path)), chmod(path, mode));
  Deno.FsFile.prototype.stat = function () {
    fstats++;
    return fileStat.call(this);
  };
  try {
    return { value: await fn(), looks, chmods, fstats };
  } finally {
    Object.assign(Deno, { lstat, stat, realPath, chmod });
    Deno.FsFile.prototype.stat = fileStat;
  }
}

/** Whether this process's umask keeps `mode` on a file created with it. */
function umaskKeeps(dir: string, mode: number): boolean {
  const probe = join(dir, "umask-probe");
  Deno.openSync(probe, { write: true, createNew: true, mode }).close();
  try {
    return (Deno.statSync(probe).mode! & 0o777) === mode;
  } finally {
    Deno.removeSync(probe);
  }
}

Deno.test({
  name: "a warm sync's copies make no async look at DEST or the cache, nor a needless chmod",
  // No modes on Windows: the chmod is tried there as before.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using ws = await workspace();
    for (let i = 0; i < FILES; i++) {
      const src = join(ws.dir, `f${i}.txt`);
      await Deno.writeTextFile(src, `file ${i}\n`);
      await ws.vc.add(`/d/f${i}.txt`, src);
    }
    // Cached first: what is counted is the copies out.
    await ws.vc.syncSettled(join(ws.dir, "warm"));
    const cachedMode = (await Deno.stat(await ws.vc.path("/d/f0.txt"))).mode! & 0o777;
    const out = join(ws.dir, "out");
    const { value: report, looks, chmods, fstats } = await countingAsyncLooks(() =>
      ws.vc.syncSettled(out)
    );
    assertEquals(report.copied.length, FILES);
    assertEquals(report.failed, []);
    const cache = join(ws.dir, "cache");
    assertEquals(
      looks.filter((p) => p.startsWith(join(out, "d")) || p.startsWith(cache)),
      [],
      "no async look at a DEST file, its directory or the cache",
    );
    assertEquals(fstats, 0, "the source's size taken by a synchronous fstat");
    const expected = umaskKeeps(ws.dir, cachedMode) ? 0 : FILES;
    assertEquals(chmods.length, expected, `chmod: ${chmods.join(", ")}`);
    for (let i = 0; i < FILES; i++) {
      const file = join(out, "d", `f${i}.txt`);
      assertEquals(await Deno.readTextFile(file), `file ${i}\n`);
      assertEquals((await Deno.stat(file)).mode! & 0o777, cachedMode);
    }
  },
});
