/**
 * `vc cache ls` read every record (a minute for a cache of a hundred
 * thousand entries) and, with --check-remote, sent one HEAD per entry, and
 * printed nothing until it was done. `ls()` now reports the records read
 * (`listing`) and the entries checked (`checking`), which the command draws
 * as a bar on a terminal and erases before the table. `vc cache prune` and
 * `vc cache verify` listed the same records before their bar's first
 * draw: `onListProgress` reports that listing too.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { LsProgress } from "../src/cache/asset_cache.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

const ENTRIES = 5;

async function withCache(fn: (dir: string, cacheDir: string) => Promise<void>): Promise<void> {
  await using dir = await tempDir("vc_cache_ls_progress_");
  const cacheDir = join(dir.path, "cache");
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
  for (let i = 0; i < ENTRIES; i++) {
    const file = join(dir.path, `f${i}.txt`);
    await Deno.writeTextFile(file, `content ${i}`);
    await cache.cache(pathToFileURL(file).href);
  }
  await fn(dir.path, cacheDir);
}

Deno.test("ls reports each record read, then each entry checked with checkRemote", async () => {
  await withCache(async (_dir, cacheDir) => {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const plain: LsProgress[] = [];
    assertEquals((await cache.ls({ onProgress: (p) => plain.push({ ...p }) })).length, ENTRIES);
    assertEquals(
      plain,
      Array.from({ length: ENTRIES }, (_, i) => ({ step: "listing", done: i + 1 })),
    );

    const remote: LsProgress[] = [];
    const entries = await cache.ls({ checkRemote: true, onProgress: (p) => remote.push({ ...p }) });
    assert(entries.every((e) => e.outdated === false));
    const checking = remote.filter((p) => p.step === "checking");
    assertEquals(remote.length - checking.length, ENTRIES, "the records are listed first");
    assertEquals(
      checking,
      Array.from(
        { length: ENTRIES + 1 },
        (_, i) => ({ step: "checking", done: i, total: ENTRIES }),
      ),
    );
  });
});

Deno.test("vc cache ls draws its progress on a terminal, erases it, and is quiet when piped", async () => {
  await withCache(async (dir, cacheDir) => {
    const env = { HOME: join(dir, "home"), VC_CACHE_DIR: cacheDir, TERM: "xterm" };
    for (const args of [["cache", "ls"], ["cache", "ls", "--check-remote"]]) {
      const io = memoryIo({ env, cwd: dir, stderrIsTerminal: true });
      const code = await runCli(args, io);
      const stderr = io.stderr();
      assertEquals(code, 0, stderr);
      assertStringIncludes(stderr, "cache ls");
      assertStringIncludes(stderr, args.length === 2 ? "listing" : "checking");
      assert(
        stderr.endsWith("\r\x1b[K"),
        `the bar is erased at the end: ${JSON.stringify(stderr)}`,
      );
      assertStringIncludes(io.stdout(), "f4.txt");
      const piped = memoryIo({ env, cwd: dir, stderrIsTerminal: false });
      assertEquals([await runCli(args, piped), piped.stderr()], [0, ""]);
    }
  });
});

Deno.test("prune and verify report the records listed before the first entry", async () => {
  await withCache(async (_dir, cacheDir) => {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const upTo = Array.from({ length: ENTRIES + 1 }, (_, i) => i);
    const verified: number[] = [];
    let firstCheck: number | undefined;
    const r = await cache.verify({
      onListProgress: (n) => verified.push(n),
      onProgress: () => firstCheck ??= verified.length,
    });
    assertEquals(r.ok, ENTRIES);
    assertEquals(verified, upTo);
    assertEquals(firstCheck, ENTRIES + 1, "listed before the first copy is read");
    const pruned: number[] = [];
    const p = await cache.prune({
      maxBytes: 0,
      dryRun: true,
      onListProgress: (n) => pruned.push(n),
    });
    assertEquals(p.removed.length, ENTRIES);
    assertEquals(pruned, upTo);
  });
});

Deno.test("vc cache prune and vc cache verify draw the listing on a terminal", async () => {
  await withCache(async (dir, cacheDir) => {
    const env = { HOME: join(dir, "home"), VC_CACHE_DIR: cacheDir, TERM: "xterm" };
    for (const args of [["cache", "verify"], ["cache", "prune", "--max-size", "0", "--dry-run"]]) {
      const io = memoryIo({ env, cwd: dir, stderrIsTerminal: true });
      assertEquals(await runCli(args, io), 0, io.stderr());
      assertStringIncludes(io.stderr(), "0  listing");
      assertStringIncludes(io.stderr(), `${ENTRIES}/${ENTRIES}`);
      const piped = memoryIo({ env, cwd: dir, stderrIsTerminal: false });
      assertEquals([await runCli(args, piped), piped.stderr()], [0, ""]);
    }
  });
});

Deno.test("listing the cache lstats each data file once, not twice", async () => {
  await withCache(async (_dir, cacheDir) => {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    await cache.ls(); // the modules are loaded, the journals' memo filled
    const seen = new Map<string, number>();
    const count = (path: string | URL) => {
      const p = String(path);
      if (p.startsWith(join(cacheDir, "file"))) seen.set(p, (seen.get(p) ?? 0) + 1);
    };
    const { lstat, lstatSync } = Deno;
    try {
      Deno.lstat = (path) => (count(path), lstat(path));
      Deno.lstatSync = (path) => (count(path), lstatSync(path));
      assertEquals((await cache.ls()).length, ENTRIES);
    } finally {
      Deno.lstat = lstat;
      Deno.lstatSync = lstatSync;
    }
    const files = [...seen].filter(([p]) => p.endsWith(".txt"));
    assertEquals(files.length, ENTRIES, JSON.stringify([...seen]));
    assert(files.every(([, n]) => n === 1), JSON.stringify(files));
  });
});
