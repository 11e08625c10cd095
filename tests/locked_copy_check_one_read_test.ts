/**
 * A cached copy of a locked version is checked against its ETag's MD5 and
 * the lock's SHA-256 (`copyVerified` for `vc sync` and `vc get`, `vc cache
 * verify`, `vc verify`); where its record has a SHA-256, that is the whole
 * check of the cached copy. Each digest was taken in a read of its own: a copy
 * of a GB was read twice, seconds each, and its progress went 0→100% twice.
 * Both now come from one read (for `copyVerified`, the read that copies it,
 * which also gives the SHA-256 `vc sync` records). A read is counted by the progress going back
 * to 0 (each read reports its start); every check's verdict and message stay.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { problemWithCopy } from "../src/cache/record_check.ts";
import { md5Hex, multipartEtag, sha256Hex } from "../src/hash.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { tempDir } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

/** Pseudo-random bytes (no two parts alike, so a part out of place would show). */
function content(size: number): Uint8Array {
  return randomBytes(size, 2463534242);
}

/** The progress told, and how many reads of the file it shows (one per 0). */
function recorder() {
  const seen: number[] = [];
  return {
    seen,
    onProgress: (p: { bytes: number }) => void seen.push(p.bytes),
    reads: () => seen.filter((b) => b === 0).length,
  };
}

function assertOneRead(rec: ReturnType<typeof recorder>, size: number): void {
  const shown = JSON.stringify(rec.seen);
  assertEquals(rec.reads(), 1, `one read: ${shown}`);
  assertEquals(rec.seen[0], 0, shown);
  assert(rec.seen.every((b, i) => i === 0 || b >= rec.seen[i - 1]!), `never goes back: ${shown}`);
  assertEquals(rec.seen.at(-1), size, shown);
}

Deno.test("a copy checked against an MD5 ETag and a SHA-256 is read once", async () => {
  await using dir = await tempDir();
  const bytes = content(3 * MiB + 5);
  const path = join(dir.path, "copy.bin");
  await Deno.writeFile(path, bytes);
  const meta = { size: bytes.length, etag: md5Hex(bytes), sha256: sha256Hex(bytes) };
  const rec = recorder();
  assertEquals(await problemWithCopy(path, meta, { onProgress: rec.onProgress }), undefined);
  assertOneRead(rec, bytes.length);
  // A vc-md5 (the record's md5) with an opaque ETag: the same one read.
  const opaque = recorder();
  const withMd5 = { ...meta, etag: "opaque", opaqueEtag: true, md5: md5Hex(bytes) };
  assertEquals(await problemWithCopy(path, withMd5, { onProgress: opaque.onProgress }), undefined);
  assertOneRead(opaque, bytes.length);
});

Deno.test("a copy checked against a multipart ETag and a SHA-256 is read once", async () => {
  await using dir = await tempDir();
  const bytes = content(9 * MiB);
  const path = join(dir.path, "copy.bin");
  await Deno.writeFile(path, bytes);
  const parts = [md5Hex(bytes.subarray(0, 8 * MiB)), md5Hex(bytes.subarray(8 * MiB))];
  const meta = { size: bytes.length, etag: multipartEtag(parts), sha256: sha256Hex(bytes) };
  const rec = recorder();
  assertEquals(await problemWithCopy(path, meta, { onProgress: rec.onProgress }), undefined);
  assertOneRead(rec, bytes.length);
});

Deno.test("the one read keeps each check's verdict and message", async () => {
  await using dir = await tempDir();
  const bytes = content(2 * MiB);
  const path = join(dir.path, "copy.bin");
  await Deno.writeFile(path, bytes);
  const md5 = md5Hex(bytes);
  const sha256 = sha256Hex(bytes);
  const other = "0".repeat(64);
  // Without a SHA-256 recorded, the ETag is the check: its message.
  const badEtag = await problemWithCopy(path, { size: bytes.length, etag: "f".repeat(32) });
  assertMatch(badEtag!, /content does not match its ETag: expected MD5 f{32}, got [0-9a-f]{32}/);
  // A SHA-256 recorded is the whole check (the bytes it was taken of were
  // verified): a copy that differs from it changed since.
  for (const etag of [md5, "f".repeat(32)]) {
    const badSha = await problemWithCopy(path, { size: bytes.length, etag, sha256: other });
    assertEquals(
      badSha,
      `${path}: content has SHA-256 ${sha256}, but SHA-256 ${other} was recorded when it was ` +
        `verified: the file changed since (${bytes.length} bytes)`,
    );
  }
  const parts = [md5Hex(bytes.subarray(0, MiB)), md5Hex(bytes.subarray(MiB))];
  const reversed = multipartEtag(parts.toReversed());
  const badParts = await problemWithCopy(path, { size: bytes.length, etag: reversed });
  assertMatch(badParts!, /multipart ETag/);
});

Deno.test("copyVerified and vc verify read a locked cached copy once", async () => {
  await using dir = await tempDir();
  const bucket = join(dir.path, "bucket");
  await Deno.mkdir(bucket);
  const bytes = content(3 * MiB);
  const source = join(dir.path, "big.bin");
  await Deno.writeFile(source, bytes);
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  await using vc = new VersionedCache({ manifest: join(dir.path, "m.json"), bucket, cache });
  await vc.add("/big.bin", source);
  const local = await vc.path("/big.bin");

  // Checked as it is copied, its SHA-256 told from the same read.
  const checking = recorder();
  const copying = recorder();
  let written: { bytes: number; sha256: string } | undefined;
  await cache.copyVerified(local, join(dir.path, "out", "big.bin"), {
    onCheckProgress: checking.onProgress,
    onProgress: copying.onProgress,
    onWritten: (w) => void (written = w),
  });
  assertEquals(checking.seen, [], "no read of its own for the check");
  assertOneRead(copying, bytes.length);
  assertEquals(written, { bytes: bytes.length, sha256: sha256Hex(bytes) });

  const steps = recorder();
  const [result] = await vc.verify({
    onProgress: (p) => {
      if (p.step !== undefined) steps.onProgress(p.step);
    },
  });
  assertEquals(result?.ok, true, result?.problem);
  assertEquals(result?.lockChecked, "sha256");
  assertOneRead(steps, bytes.length);
});
