/**
 * `vc lock` stopped by Ctrl-C keeps the lock entries it had read: before,
 * none was written (the downloads and hashing of a large manifest lost to
 * one Ctrl-C, the last line only `lock interrupted`). The entries read
 * before the stop go to the lock file (`fillLockSettled` writes them, then
 * rejects with the signal's reason), and the last line says how many
 * manifest entries are locked now; exit 130.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { fillLockSettled } from "../src/versioned/lock_ops.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** Ten manifest entries, each in the bucket; returns the manifest's path. */
async function tenEntries(ws: CliWorkspace): Promise<string> {
  const manifest: Record<string, string> = {};
  for (const name of "abcdefghij") {
    await ws.write(`bucket/${name}.1.0.0.csv`, name.repeat(100));
    manifest[`/${name}.csv`] = "1.0.0";
  }
  return await ws.write("versioned_assets.json", JSON.stringify(manifest));
}

async function lockedKeys(ws: CliWorkspace): Promise<string[]> {
  const text = await Deno.readTextFile(join(ws.dir, "versioned_assets.lock.json"));
  return Object.keys(JSON.parse(text)).filter((k) => k.startsWith("/"));
}

Deno.test("fillLockSettled stopped: the entries read before the stop are written, then it rejects", async () => {
  await using ws = await CliWorkspace.create();
  const manifest = await tenEntries(ws);
  await using vc = new VersionedCache({
    manifest,
    bucket: ws.bucket,
    cache: new AssetCache({ cacheDir: ws.cacheDir, configPath: false }),
  });
  const stop = new AbortController();
  await assertRejects(
    () =>
      fillLockSettled(vc, {
        concurrency: 1,
        signal: stop.signal,
        onProgress: (p) => {
          if (p.done === 2) stop.abort(new Error("stopped by the test"));
        },
      }),
    Error,
    "stopped by the test",
  );
  assertEquals((await lockedKeys(ws)).sort(), ["/a.csv@1.0.0", "/b.csv@1.0.0"]);
});

Deno.test("lock interrupted: the last line says how many manifest entries are locked now", async () => {
  await using ws = await CliWorkspace.create();
  await tenEntries(ws);
  // One entry locked by an earlier run.
  await Deno.writeTextFile(
    join(ws.dir, "one.json"),
    JSON.stringify({ "/a.csv": "1.0.0" }),
  );
  const first = await ws.run(["lock", "--bucket", ws.bucket, "--manifest", "one.json"]);
  assertEquals(first.code, 0, first.stderr);
  await Deno.rename(join(ws.dir, "one.lock.json"), join(ws.dir, "versioned_assets.lock.json"));
  const io = memoryIo({
    env: ws.env,
    cwd: ws.dir,
    signal: AbortSignal.abort(new DOMException("interrupted", "AbortError")),
  });
  const code = await runCli(["lock", "--bucket", ws.bucket], io);
  assertEquals(code, 130, io.stderr());
  const last = io.stderr().trimEnd().split("\n").at(-1) ?? "";
  assert(
    last.startsWith("vc: lock interrupted: 1 of 10 manifest entries locked in ") &&
      last.endsWith(
        "versioned_assets.lock.json (0 added before it stopped); vc lock run again adds the rest",
      ),
    last,
  );
});
