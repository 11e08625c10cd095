// A file where a directory of the cache's records belongs (`.meta` itself,
// or `.meta/<dir>` beside the data directory `<dir>`: damage, or planted by
// a restored cache) makes every entry below it uncacheable: `verify` and
// `prune` name it (verify exits 1) instead of an all-clear.
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { oneFileSource } from "./one_file_source.ts";
import { dirname, join } from "node:path";

Deno.test("cache verify/prune: a file where a records directory belongs is named, not skipped", async () => {
  await using source = await oneFileSource("vc-records-dir-file-");
  const { cacheDir, uri } = source;
  let recordsDir: string;
  {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const local = await cache.cache(uri);
    recordsDir = join(cacheDir, ".meta", dirname(local).slice(cacheDir.length + 1));
  }
  await Deno.remove(recordsDir, { recursive: true });
  await Deno.writeTextFile(recordsDir, "not a directory\n");
  {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    assertEquals((await cache.verify()).recordDirFiles, [recordsDir]);
    assertEquals((await cache.prune({ maxBytes: 1e9 })).recordDirFiles, [recordsDir]);
    // Nothing is removed.
    assertEquals((await Deno.lstat(recordsDir)).isFile, true);
  }
  // `.meta` itself a file: nothing at all can be cached.
  const meta = join(cacheDir, ".meta");
  await Deno.remove(meta, { recursive: true });
  await Deno.writeTextFile(meta, "not a directory\n");
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
  assertEquals((await cache.verify()).recordDirFiles, [meta]);
});

Deno.test("cli cache verify: a file where a records directory belongs fails the check, naming it", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/d/a.txt", "a\n");
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/a.txt`]);
  assertEquals(get.code, 0, get.stderr);
  const local = get.stdout.trim();
  const recordsDir = join(ws.cacheDir, ".meta", dirname(local).slice(ws.cacheDir.length + 1));
  await Deno.remove(recordsDir, { recursive: true });
  await Deno.writeTextFile(recordsDir, "not a directory\n");
  const verify = await ws.run(["cache", "verify"]);
  assertEquals(verify.code, 1, verify.stdout + verify.stderr);
  assertStringIncludes(verify.stdout + verify.stderr, `damaged: ${recordsDir} is a file`);
});

Deno.test("cache get: a file where a records directory belongs is the path the error names to remove", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/d/a.txt", "a\n");
  await ws.write("bucket/d/b.txt", "b\n");
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/a.txt`]);
  assertEquals(get.code, 0, get.stderr);
  const recordsDir = join(
    ws.cacheDir,
    ".meta",
    dirname(get.stdout.trim()).slice(ws.cacheDir.length + 1),
  );
  await Deno.remove(recordsDir, { recursive: true });
  await Deno.writeTextFile(recordsDir, "not a directory\n");
  const next = await ws.run(["cache", "get", `${ws.bucket}/d/b.txt`]);
  assertEquals(next.code, 1, next.stdout + next.stderr);
  // Named as the one to remove, not the journal path below it (which cannot exist).
  assertStringIncludes(next.stderr, `${recordsDir} in the cache's records has the wrong type`);
});
