/**
 * A re-sync copied every file again (a 10 GB DEST rewritten on every run,
 * its cached copies all read), even when DEST's file still matched the
 * record vc wrote (size, mtime, ctime) and the manifest still pinned the
 * same bytes: `aws s3 sync` and rsync skip such files. Now such a file is
 * left as it is, neither it nor its cached copy opened, and reported as
 * `unchanged`. A file edited (its size or times moved), a pin moved to
 * other bytes, a missing record, a local override or `force` still copy as
 * before.
 */
import { join } from "node:path";
import { SyncInterruptedError } from "../src/versioned/sync_interrupted.ts";
import { sha256Hex } from "../src/hash.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { countingOpens } from "./counting_opens.ts";
import { randomBytes, tempDir, type Workspace, workspace } from "./versioned_helpers.ts";
import { type SyncRecords, withSyncRecords } from "../src/versioned/sync_records.ts";

const MiB = 1024 * 1024;

/** A workspace with `/big.bin` published and pinned, synced once into `out`. */
async function synced(): Promise<
  { ws: Workspace; src: string; bytes: Uint8Array; out: string; dest: string }
> {
  const ws = await workspace();
  // Removed also when this fails (the test's own `await using` is not reached).
  try {
    const bytes = randomBytes(2 * MiB + 3);
    const src = join(ws.dir, "big.bin");
    await Deno.writeFile(src, bytes);
    await ws.vc.add("/big.bin", src);
    const out = join(ws.dir, "out");
    const first = await ws.vc.syncSettled(out);
    assertEquals(first.copied.map((c) => c.path), ["/big.bin"]);
    assertEquals(first.unchanged, []);
    return { ws, src, bytes, out, dest: join(out, "big.bin") };
  } catch (e) {
    await ws[Symbol.asyncDispose]();
    throw e;
  }
}

/** What DEST's file is in the file system: a rewrite gives it another inode or mtime. */
async function identity(path: string): Promise<string> {
  const info = await Deno.lstat(path);
  return `${info.ino}:${info.mtime?.getTime()}:${info.ctime?.getTime()}`;
}

const onlyData = (paths: string[], out: string, cached: string) =>
  paths.filter((p) => p === cached || (p.startsWith(out) && !p.includes(".vc-sync")));

Deno.test("a re-sync leaves a file that still matches its record and pin, unread", async () => {
  const { ws, bytes, out, dest } = await synced();
  await using _ = ws;
  const cached = await ws.vc.path("/big.bin");
  // Recorded just after the copy, the stat is racy (an edit in the same
  // tick keeps it): hashed once by a re-sync past the grain, which marks it
  // settled (see versioned_sync_unchanged_racy_test.ts). Marked so here.
  const recordPath = join(out, ".vc-sync.json");
  const recorded = JSON.parse(await Deno.readTextFile(recordPath));
  recorded.files["/big.bin"].settled = true;
  await Deno.writeTextFile(recordPath, JSON.stringify(recorded));
  const before = await identity(dest);
  const { value: report, reads, writes } = await countingOpens(() => ws.vc.syncSettled(out));
  assertEquals(report.copied, []);
  assertEquals(report.unchanged, [{ path: "/big.bin", dest }]);
  assertEquals(report.failed, []);
  assertEquals(report.total, 1);
  assertEquals(onlyData(reads, out, cached), [], `reads: ${reads.join(", ")}`);
  assertEquals(onlyData(writes, out, cached), [], `writes: ${writes.join(", ")}`);
  assertEquals(await identity(dest), before, "DEST's file was not rewritten");
  assertEquals(await Deno.readFile(dest), bytes);
  // And again: the record still holds the file (nothing was lost by skipping).
  const third = await ws.vc.syncSettled(out);
  assertEquals(third.unchanged.map((c) => c.path), ["/big.bin"]);
});

Deno.test("a re-sync copies a file whose pin moved to other bytes", async () => {
  const { ws, src, out, dest } = await synced();
  await using _ = ws;
  const other = randomBytes(2 * MiB + 3); // the same size: only the pin tells
  await Deno.writeFile(src, other);
  await ws.vc.update("/big.bin", src, { patch: true });
  const report = await ws.vc.syncSettled(out);
  assertEquals(report.copied.map((c) => c.path), ["/big.bin"]);
  assertEquals(report.unchanged, []);
  assertEquals(await Deno.readFile(dest), other);
  const records = JSON.parse(await Deno.readTextFile(join(out, ".vc-sync.json")));
  assertEquals(records.files["/big.bin"].sha256, sha256Hex(other));
});

Deno.test("a re-sync copies a file whose times or size moved, as before", async () => {
  const { ws, bytes, out, dest } = await synced();
  await using _ = ws;
  // Touched (its bytes as vc wrote them): hashed and replaced, as before.
  await Deno.utime(dest, new Date(), new Date(Date.now() - 3600_000));
  const touched = await ws.vc.syncSettled(out);
  assertEquals(touched.copied.map((c) => c.path), ["/big.bin"]);
  assertEquals(touched.unchanged, []);
  // Grown: an edit, refused as before (not taken as unchanged).
  await Deno.writeFile(dest, new Uint8Array([1]), { append: true });
  const edited = await ws.vc.syncSettled(out);
  assertEquals(edited.unchanged, []);
  assertEquals(edited.failed.map((f) => f.path), ["/big.bin"]);
  assertEquals((await Deno.stat(dest)).size, bytes.length + 1);
});

Deno.test("a re-sync copies when the record is missing, and with force", async () => {
  const { ws, bytes, out, dest } = await synced();
  await using _ = ws;
  const forced = await ws.vc.syncSettled(out, { force: true });
  assertEquals(forced.copied.map((c) => c.path), ["/big.bin"]);
  assertEquals(forced.unchanged, []);
  await Deno.remove(join(out, ".vc-sync.json"));
  const unrecorded = await ws.vc.syncSettled(out);
  assertEquals(unrecorded.copied.map((c) => c.path), ["/big.bin"]);
  assertEquals(unrecorded.unchanged, []);
  assertEquals(await Deno.readFile(dest), bytes);
  // Recorded again: the next one skips it.
  assertEquals((await ws.vc.syncSettled(out)).unchanged.map((c) => c.path), ["/big.bin"]);
});

Deno.test("a re-sync copies a file whose record an older vc wrote, then skips it", async () => {
  const { ws, out } = await synced();
  await using _ = ws;
  const path = join(out, ".vc-sync.json");
  const records = JSON.parse(await Deno.readTextFile(path));
  const { size, mtimeMs, ctimeMs, sha256 } = records.files["/big.bin"];
  // Size and mtime only: no SHA-256 says which bytes the file holds.
  records.files["/big.bin"] = { size, mtimeMs };
  await Deno.writeTextFile(path, JSON.stringify(records));
  assertEquals((await ws.vc.syncSettled(out)).copied.map((c) => c.path), ["/big.bin"]);
  assertEquals((await ws.vc.syncSettled(out)).unchanged.map((c) => c.path), ["/big.bin"]);
  // A record without the object it was copied from, whose SHA-256 the
  // cache knows for the pin: that decides.
  const again = JSON.parse(await Deno.readTextFile(path));
  const now = again.files["/big.bin"];
  assertEquals(now.sha256, sha256);
  assert(now.ctimeMs !== undefined || ctimeMs === undefined);
  again.files["/big.bin"] = { size: now.size, mtimeMs: now.mtimeMs, ctimeMs: now.ctimeMs, sha256 };
  await Deno.writeTextFile(path, JSON.stringify(again));
  assertEquals((await ws.vc.syncSettled(out)).unchanged.map((c) => c.path), ["/big.bin"]);
  // The same, recording other bytes' SHA-256: copied.
  again.files["/big.bin"].sha256 = "0".repeat(64);
  await Deno.writeTextFile(path, JSON.stringify(again));
  assertEquals((await ws.vc.syncSettled(out)).copied.map((c) => c.path), ["/big.bin"]);
});

Deno.test("a re-sync always copies a local override", async () => {
  await using ws = await workspace();
  const over = join(ws.dir, "over.csv");
  await Deno.writeTextFile(over, "mine\n");
  await Deno.writeTextFile(ws.manifest, JSON.stringify({ "/o.csv": over }));
  const out = join(ws.dir, "out");
  assertEquals((await ws.vc.syncSettled(out)).copied.map((c) => c.path), ["/o.csv"]);
  const again = await ws.vc.syncSettled(out);
  assertEquals(again.copied.map((c) => c.path), ["/o.csv"]);
  assertEquals(again.unchanged, []);
});

Deno.test("vc sync says which files it left unchanged, and --json lists them", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.write("b.csv", "b\n");
  for (const [path, file] of [["/a.csv", "a.csv"], ["/b.csv", "b.csv"]]) {
    const r = await ws.vc("add", path!, file!);
    assertEquals(r.code, 0, r.stderr);
  }
  const first = await ws.vc("sync", "out", "--json");
  assertEquals(first.code, 0, first.stderr);
  const firstJson = first.json<{ copied: unknown[]; unchanged: unknown[] }>();
  assertEquals(firstJson.copied.length, 2);
  assertEquals(firstJson.unchanged, []);
  await ws.write("b.csv", "B\n");
  assertEquals((await ws.vc("update", "/b.csv", "b.csv", "--patch")).code, 0);
  const second = await ws.vc("sync", "out", "--json");
  assertEquals(second.code, 0, second.stderr);
  const json = second.json<
    { total: number; copied: Array<{ path: string }>; unchanged: Array<{ path: string }> }
  >();
  assertEquals(json.total, 2);
  assertEquals(json.copied.map((c) => c.path), ["/b.csv"]);
  assertEquals(json.unchanged.map((c) => c.path), ["/a.csv"]);
  const human = await ws.vc("sync", "out");
  assertEquals(human.code, 0, human.stderr);
  assert(/2 unchanged/.test(human.stdout), human.stdout);
});

Deno.test("a re-sync after the cache was emptied: the lock's SHA-256 decides, nothing downloaded", async () => {
  const { ws, bytes, out, dest } = await synced();
  await using _ = ws;
  const cached = await ws.vc.path("/big.bin");
  const uri = ws.cache.copyRecord(cached)!.uri;
  const lockFile = ws.manifest.replace(/\.json$/, ".lock.json");
  assert((await Deno.readTextFile(lockFile)).includes(sha256Hex(bytes)), "vc add locked it");
  assert(await ws.cache.delete(uri));
  const again = await ws.vc.syncSettled(out);
  assertEquals(again.unchanged.map((c) => c.path), ["/big.bin"]);
  assertEquals(ws.cache.copyRecord(cached), undefined, "not downloaded");
  assert(!(await Deno.lstat(cached).then(() => true, () => false)), "not downloaded");
  // Unlocked: downloaded; the cache knows no SHA-256 of it, so the object
  // recorded (URI, ETag, size) decides.
  await Deno.remove(lockFile);
  const unlocked = await ws.vc.syncSettled(out);
  assertEquals(unlocked.unchanged.map((c) => c.path), ["/big.bin"]);
  const record = ws.cache.copyRecord(cached);
  assert(record !== undefined, "downloaded");
  assertEquals(record.sha256, undefined);
  // The version's object replaced in the bucket by other bytes of its size
  // (which vc never does), unlocked: the pin's bytes moved, so copied.
  const other = randomBytes(2 * MiB + 3);
  await Deno.writeFile(new URL(uri).pathname, other);
  assert(await ws.cache.delete(uri));
  const replaced = await ws.vc.syncSettled(out);
  assertEquals(replaced.unchanged, []);
  assertEquals(replaced.copied.map((c) => c.path), ["/big.bin"]);
  assertEquals(await Deno.readFile(dest), other);
});

Deno.test("SyncRecords.unchanged: without a SHA-256 of the pin, the object recorded decides", async () => {
  await using dir = await tempDir();
  const dest = join(dir.path, "a.bin");
  await Deno.writeTextFile(dest, "abc");
  const source = { uri: "s3://b/a.1.0.0.bin", etag: '"e1"', size: 3, md5: "m" };
  await withSyncRecords(dir.path, undefined, (r) => r.wrote("/a.bin", dest, { source }));
  const unchanged = (pinned: Parameters<SyncRecords["unchanged"]>[2]) =>
    withSyncRecords(dir.path, undefined, (r) => r.unchanged("/a.bin", dest, pinned));
  assert(await unchanged({ uri: source.uri, etag: "e1", size: 3 }), "same object");
  assert(await unchanged({ ...source, md5: "M" }), "MD5 in other case");
  assert(!(await unchanged({ ...source, etag: "e2" })), "other ETag");
  assert(!(await unchanged({ ...source, uri: "s3://b/a.1.0.1.bin" })), "other version");
  assert(!(await unchanged({ ...source, md5: "n" })), "other MD5");
  assert(!(await unchanged(undefined)), "no cached record (an override)");
  assert(await unchanged({ ...source, etag: "e2", sha256: sha256Hex(enc("abc")) }), "same SHA-256");
  assert(!(await unchanged({ ...source, sha256: sha256Hex(enc("abd")) })), "other SHA-256");
  // Rewritten in place with the same size: its times moved.
  await Deno.writeTextFile(dest, "abd");
  await Deno.utime(dest, new Date(), new Date(Date.now() + 5_000));
  assert(!(await unchanged(source)), "edited");
  await Deno.remove(dest);
  assert(!(await unchanged(source)), "removed");
});

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("SyncInterruptedError counts the files left unchanged as done", () => {
  const report = {
    dest: "/out",
    total: 4,
    copied: [{ path: "/a", dest: "/out/a" }],
    unchanged: [{ path: "/b", dest: "/out/b" }, { path: "/c", dest: "/out/c" }],
    failed: [],
  };
  const e = new SyncInterruptedError(report, new DOMException("stop", "AbortError"));
  assertEquals(
    e.message,
    "sync interrupted after 3 of 4 manifest entries: 1 copied to /out, 2 unchanged, 0 failed; " +
      "the rest was not copied: run it again to finish",
  );
});
