/**
 * The library's notices that a call waits behind another process (another
 * download of the same cache entry, the manifest's lock held by another
 * process) reached the CLI as plain warnings, and the CLI told them from the
 * others by their wording alone (`waiting for …` at the start): a notice
 * worded otherwise would not have shown on the progress bar, and a warning
 * of another kind that happened to begin so would have. They now carry
 * `kind: "wait"` (`onWarning`), which the CLI's bar reads (`fillLock`'s:
 * versioned_lock_wait_said_test.ts).
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { Flags } from "../src/cli/args.ts";
import { memoryIo } from "../src/cli/io.ts";
import { Output } from "../src/cli/output.ts";
import { openAssetCache } from "../src/cli/settings.ts";
import { until } from "./mirror_helpers.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

type Told = { message: string; kind?: string };

Deno.test("AssetCache behind another download of the entry: onWarning is told kind 'wait'", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_wait_kind_cache_" });
  try {
    await Deno.writeTextFile(join(dir, "x.txt"), "x");
    const told: Told[] = [];
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      lockWait: 1.5,
      onWarning: (w) => told.push(w),
    });
    const uri = `file://${dir}/x.txt`;
    const path = await assets.cache(uri);
    await assets.delete(uri);
    // Another download of the entry in progress: it holds the entry's lock.
    const held = await acquireEntryLock(path);
    try {
      // The lock is not let go: the cache gives up after 1.5 s and downloads without it.
      await assets.cache(uri);
    } finally {
      held.release();
    }
    assertEquals(told.length, 2, told.map((w) => w.message).join("\n"));
    assertStringIncludes(told[0]!.message, "to finish downloading");
    assertEquals(told[0]!.kind, "wait");
    // Giving up is no wait: a plain warning.
    assertEquals(told[1]!.kind, undefined, told[1]!.message);
    // AssetCache.delete behind it too.
    const removal: Told[] = [];
    await using other = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      lockWait: 1.5,
      onWarning: (w) => removal.push(w),
    });
    const again = await acquireEntryLock(path);
    try {
      assertEquals(await other.delete(uri), true);
    } finally {
      again.release();
    }
    assertEquals(removal[0]?.kind, "wait", removal.map((w) => w.message).join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("output: a warning's kind, not its words, decides whether the bar shows a wait", () => {
  const io = memoryIo({ stderrIsTerminal: true, env: { TERM: "xterm", NO_COLOR: "1" } });
  const out = new Output(io);
  const bar = out.progress("download s3://b/big.bin");
  bar.onBytes({ bytes: 5, total: 10 });
  // Worded as a wait, but no wait: the bar keeps its figures.
  out.warn("waiting for the store's answer took 3 s longer than usual");
  assertStringIncludes(bar.line(), "50%");
  // A wait worded otherwise: on the bar.
  out.warn("another process holds the entry's lock; this download stands by", "wait");
  assertStringIncludes(bar.line(), "waiting: another process holds the entry's lock");
  assert(!bar.line().includes("50%"), bar.line());
  bar.done();
});

Deno.test("vc's asset cache behind another download of the entry: the bar says it waits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_wait_kind_cli_" });
  try {
    await Deno.writeTextFile(join(dir, "x.txt"), "x");
    const io = memoryIo({
      stderrIsTerminal: true,
      env: { TERM: "xterm", NO_COLOR: "1", HOME: dir, VC_LOCK_WAIT: "1.5" },
    });
    const out = new Output(io);
    await using cache = openAssetCache({
      io,
      flags: new Flags({ "cache-dir": join(dir, "cache") }),
      out,
    });
    const uri = `file://${dir}/x.txt`;
    const path = await cache.cache(uri);
    await cache.delete(uri);
    using bar = out.progress(`download ${uri}`);
    const held = await acquireEntryLock(path);
    let waitLine = "";
    try {
      const getting = cache.cache(uri);
      await until("the wait notice", () => io.stderr().includes("to finish downloading"), {
        tries: 1500,
      });
      waitLine = bar.line();
      await getting;
    } finally {
      held.release();
    }
    // After the wait notice: the bar says the wait (the notice above names the holder).
    assertStringIncludes(waitLine, "waiting for ");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
