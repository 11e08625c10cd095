/**
 * An upload's `onProgress` was first called once its first part was stored
 * (a multipart upload reports as parts finish; a single PUT when it is
 * answered): on a slow uplink that is tens of seconds (a 16 MiB part at
 * 500 kB/s), and the CLI's bar sat at `hashing 100%` with the hashing's
 * rate the whole time, as if stuck after the hash. `vc add` / `vc update`
 * (`publishVersion`) and `Repository.add` now report 0 bytes as the upload
 * starts, before any part goes up, so the bar says `uploading 0%` at once.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals } from "./assert.ts";
import { tempDir, testS3Options, workspace, writeFile } from "./versioned_helpers.ts";
import { multipartRepo, PART } from "./repo_multipart_edit.ts";

const BUCKET = "upload-start-progress";

Deno.test("vc add: the upload reports 0 bytes before its first part is stored", async () => {
  await using s3 = await startFakeS3({ buckets: [BUCKET], minPartSize: 1 });
  await using dir = await tempDir();
  const store = testS3Options(s3, { multipartThreshold: 4096, partSize: 4096, concurrency: 1 });
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store,
  });
  await using vc = new VersionedCache({
    manifest: join(dir.path, "manifest.json"),
    bucket: `s3://${BUCKET}`,
    cache,
    store,
  });
  const file = join(dir.path, "big.bin");
  await Deno.writeFile(file, new Uint8Array(5 * 4096).fill(7));
  const seen: { bytes: number; total: number; partsStored: number }[] = [];
  assertEquals(
    await vc.add("/big.bin", file, {
      onProgress: (p) => seen.push({ ...p, partsStored: s3.stats.UploadPart }),
    }),
    "1.0.0",
  );
  assertEquals(seen[0], { bytes: 0, total: 5 * 4096, partsStored: 0 });
  assertEquals(seen.at(-1)?.bytes, 5 * 4096);
});

Deno.test("repo add: the upload reports 0 bytes before its first part is stored", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  await using dir = await tempDir();
  const { repo: opened, file } = await multipartRepo(s3, dir.path);
  await using repo = opened;
  const seen: { bytes: number; partsStored: number }[] = [];
  await repo.add("/a.bin", file, {
    onProgress: (bytes) => seen.push({ bytes, partsStored: s3.stats.UploadPart }),
  });
  assertEquals(seen[0], { bytes: 0, partsStored: 0 });
  assertEquals(seen.at(-1)?.bytes, 4 * PART);
});

Deno.test("vc add on a terminal: `uploading 0%` is drawn before any byte goes up", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "big.bin", "x".repeat(256 * 1024));
  const io = memoryIo({
    env: { HOME: join(ws.dir, "home"), VC_CACHE_DIR: join(ws.dir, "cache"), TERM: "xterm" },
    cwd: ws.dir,
    stderrIsTerminal: true,
  });
  const code = await runCli(
    ["add", "/big.bin", file, "--manifest", ws.manifest, "--bucket", ws.bucket],
    io,
  );
  const stderr = io.stderr();
  assertEquals(code, 0, stderr);
  const hashed = stderr.indexOf("hashing");
  const started = stderr.indexOf(" 0%  0 B/262.1 kB  uploading");
  assert(
    hashed >= 0 && started > hashed,
    `hashing, then uploading from 0: ${JSON.stringify(stderr)}`,
  );
});
