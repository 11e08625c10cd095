/**
 * `vc sync` read each copied file three times: the cached copy to check it
 * against its record, again to copy it into DEST, and the copy in DEST to
 * hash it for `.vc-sync.json` (seconds a GB each). The copy now checks and
 * hashes the bytes as it streams them: the cached copy is opened once, the
 * file in DEST never read back, and a cached copy that fails its check is
 * still never copied out.
 */
import { join } from "node:path";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex, multipartEtag, sha256Hex } from "../src/hash.ts";
import { fileChecker } from "../src/verify.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { countingOpens } from "./counting_opens.ts";
import { randomBytes, tempDir, workspace } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

Deno.test("vc sync reads a cached copy once and never reads its copy in DEST back", async () => {
  await using ws = await workspace();
  const bytes = randomBytes(3 * MiB + 7);
  const src = join(ws.dir, "big.bin");
  await Deno.writeFile(src, bytes);
  await ws.vc.add("/big.bin", src);
  const cached = await ws.vc.path("/big.bin");
  const out = join(ws.dir, "out");
  const dest = join(out, "big.bin");

  const { reads } = await countingOpens(() => ws.vc.sync(out));
  assertEquals(reads.filter((p) => p === cached).length, 1, `reads: ${reads.join(", ")}`);
  assertEquals(reads.filter((p) => p.startsWith(out) && p.endsWith(".bin")), [], reads.join(", "));
  assertEquals(await Deno.readFile(dest), bytes);
  // The record holds the SHA-256 of what was written.
  const records = JSON.parse(await Deno.readTextFile(join(out, ".vc-sync.json")));
  assertEquals(records.files["/big.bin"].sha256, sha256Hex(bytes));
});

Deno.test("vc sync: a cached copy that fails its check is not copied, DEST's file stays", async () => {
  await using ws = await workspace();
  const src = join(ws.dir, "a.bin");
  await Deno.writeFile(src, randomBytes(2 * MiB));
  await ws.vc.add("/a.bin", src);
  const cached = await ws.vc.path("/a.bin");
  const out = join(ws.dir, "out");
  await Deno.mkdir(out);
  await Deno.writeTextFile(join(out, "a.bin"), "earlier\n");
  // A same-size edit of the cached copy, in its last byte: found only by the hash.
  const damaged = await Deno.readFile(cached);
  damaged[damaged.length - 1]! ^= 1;
  await Deno.writeFile(cached, damaged);

  const report = await ws.vc.syncSettled(out, { force: true });
  assertEquals(report.copied, []);
  const error = report.failed[0]?.error;
  assert(error instanceof IntegrityError, String(error));
  assertMatch(error.message, /failed verification.*removed from the cache/);
  assertEquals(await Deno.readTextFile(join(out, "a.bin")), "earlier\n");
  assertEquals(
    [...Deno.readDirSync(out)].map((e) => e.name).filter((n) => !n.startsWith(".vc-sync")),
    ["a.bin"],
    "no temp file left",
  );
  // Removed from the cache: the next sync downloads it afresh and copies it.
  assert(!(await Deno.lstat(cached).then(() => true, () => false)));
  const again = await ws.vc.syncSettled(out, { force: true });
  assertEquals(again.copied.map((c) => c.path), ["/a.bin"]);
  assertEquals(await Deno.readFile(join(out, "a.bin")), await Deno.readFile(src));
});

Deno.test("fileChecker settles a multipart ETag of recorded part sizes from the stream alone", async () => {
  await using dir = await tempDir();
  const bytes = randomBytes(3 * MiB + 5);
  const path = join(dir.path, "copy.bin");
  await Deno.writeFile(path, bytes);
  const parts = [];
  for (let at = 0; at < bytes.length; at += MiB) parts.push(md5Hex(bytes.subarray(at, at + MiB)));
  const reread: number[] = [];
  const checker = fileChecker(
    { size: bytes.length, etag: multipartEtag(parts), partSizes: [MiB] },
    { uri: "s3://b/k", onProgress: (p) => reread.push(p.bytes) },
  );
  const hasher = checker.hasher(true, bytes.length);
  hasher.update(bytes);
  const computed = hasher.finish();
  assertEquals(await checker.check(path, computed, bytes.length), undefined);
  assertEquals(reread, [], "no second read");
  assertEquals(computed.sha256, sha256Hex(bytes));
  // The parts swapped: a mismatch, named, also after reading the file again.
  const swapped = fileChecker(
    { size: bytes.length, etag: multipartEtag(parts.toReversed()), partSizes: [MiB] },
    { uri: "s3://b/k" },
  );
  const h = swapped.hasher(false, bytes.length);
  h.update(bytes);
  assertMatch(
    (await swapped.check(path, h.finish(), bytes.length))!,
    /s3:\/\/b\/k.*multipart ETag/,
  );
});
