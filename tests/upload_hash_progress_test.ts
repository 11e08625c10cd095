/**
 * `vc add`, `vc update` and `vc repo add` hash the whole file before its
 * first byte goes up (seconds a GB). The bar said `hashing` and stood still
 * through it, which looks hung: it now shows how much of the file is hashed
 * (`onHashProgress` of the library), then the upload.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

// More than one of a file read's 8 MiB chunks (hashFileWith), so the hashing is told partway.
const SIZE = 12 * 1024 * 1024;

/** Runs `vc args` in-process with stderr a terminal; returns the code and stderr. */
async function runOnTerminal(
  ws: CliWorkspace,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const io = memoryIo({
    env: { ...ws.env, VC_BUCKET: ws.bucket, TERM: "xterm" },
    cwd: ws.dir,
    stderrIsTerminal: true,
  });
  const code = await runCli(args, io);
  return { code, stderr: io.stderr() };
}

/** The hashing was drawn with its bytes, to 100%, before the upload; the bar erased. */
function assertHashed(stderr: string): void {
  const shown = JSON.stringify(stderr);
  const hashed = stderr.search(/100% +12\.6 MB\/12\.6 MB +(?:[\d.]+ [kMG]?B\/s +)?hashing/);
  assert(hashed >= 0, `the hashing is drawn with its bytes: ${shown}`);
  assert(stderr.indexOf("uploading") > hashed, `then the upload: ${shown}`);
  assert(stderr.endsWith("\r\x1b[K"), `the bar is erased at the end: ${shown}`);
}

Deno.test("vc add, vc update and vc repo add: the hashing before the upload shows its bytes", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("big.bin", "x".repeat(SIZE));
  const add = await runOnTerminal(ws, ["add", "/big.bin", "big.bin"]);
  assertEquals(add.code, 0, add.stderr);
  assertHashed(add.stderr);
  await ws.write("big.bin", "y".repeat(SIZE));
  const update = await runOnTerminal(ws, ["update", "--minor", "/big.bin", "big.bin"]);
  assertEquals(update.code, 0, update.stderr);
  assertHashed(update.stderr);
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  const repoAdd = await runOnTerminal(ws, ["repo", "add", "/big.bin", "big.bin", "--repo", repo]);
  assertEquals(repoAdd.code, 0, repoAdd.stderr);
  assertHashed(repoAdd.stderr);
});

Deno.test("VersionedCache.add reports the hashing from its start to the file's size", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("big.bin", "x".repeat(SIZE));
  await using vc = new VersionedCache({
    manifest: ws.path("versioned_assets.json"),
    bucket: ws.bucket,
    cache: new AssetCache({ cacheDir: ws.cacheDir, configPath: false }),
  });
  const seen: number[] = [];
  await vc.add("/big.bin", file, {
    onHashProgress: ({ bytes, total }) => {
      assertEquals(total, SIZE);
      seen.push(bytes);
    },
  });
  assertEquals(seen[0], 0);
  assertEquals(seen.at(-1), SIZE);
  assert(seen.length > 2, `reported as it reads: ${seen}`);
});
