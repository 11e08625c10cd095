/**
 * `vc sync` leaves a DEST file unchanged, unread, when its stat (size,
 * mtime, ctime) still matches the record and the pin's bytes are the
 * record's. But a stat matches also after an edit made within the file
 * system's timestamp grain of the copy (1 s on ext3 and HFS+, 2 s on FAT,
 * a clock tick on others; Deno's ctime is whole seconds): `vc sync data &&
 * sed -i ... data/t.csv`, a same-size edit, left the edit in place at the
 * next sync, reported "unchanged (they hold the pinned bytes already)".
 * (Before that skip, such a file was replaced unread: the edit lost.) As
 * `vc mirror` and the directory store do (one rule: `isRacy`), a record
 * taken within that window of its save is "racy": its file is hashed
 * before it is left as it is (DEST read, not the cache), and a file found
 * to hold other bytes is the user's edit: kept, its entry failing as
 * changed since vc sync wrote it (--force replaces it).
 */
import { join } from "node:path";
import { assertEquals, assertMatch } from "./assert.ts";
import { countingOpens } from "./counting_opens.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

/** The records of `out`, parsed, and a function that writes them back. */
async function records(out: string) {
  const path = join(out, ".vc-sync.json");
  const parsed = JSON.parse(await Deno.readTextFile(path));
  return { parsed, save: () => Deno.writeTextFile(path, JSON.stringify(parsed)) };
}

Deno.test("a re-sync keeps a same-size edit made within the timestamp grain of the copy, naming it", async () => {
  await using ws = await workspace();
  const src = await writeFile(ws.dir, "t.csv", "a,b\n1,2\n");
  await ws.vc.add("/t.csv", src);
  const out = join(ws.dir, "out");
  assertEquals((await ws.vc.syncSettled(out)).copied.map((c) => c.path), ["/t.csv"]);
  const dest = join(out, "t.csv");
  // Edited at once, the same size: on a file system of coarse timestamps
  // the edit keeps the times the record holds. (Here: the record is given
  // the edited file's times, as such a file system would leave them.)
  await Deno.writeTextFile(dest, "x,y\n9,9\n");
  const info = await Deno.lstat(dest);
  const r = await records(out);
  r.parsed.files["/t.csv"].mtimeMs = info.mtime!.getTime();
  if (info.ctime !== null) r.parsed.files["/t.csv"].ctimeMs = info.ctime.getTime();
  await r.save();
  const report = await ws.vc.syncSettled(out);
  assertEquals(report.unchanged, []);
  assertEquals(report.copied, []);
  assertEquals(report.failed.map((f) => f.path), ["/t.csv"]);
  assertMatch(String(report.failed[0]!.error), /changed since `sync\(\)` wrote it/);
  // The user's edit is kept; --force replaces it.
  assertEquals(await Deno.readTextFile(dest), "x,y\n9,9\n");
  assertEquals((await ws.vc.syncSettled(out, { force: true })).copied.map((c) => c.path), [
    "/t.csv",
  ]);
  assertEquals(await Deno.readTextFile(dest), "a,b\n1,2\n");
});

Deno.test("a re-sync hashes a racy record's file only: unchanged, its cached copy not read", async () => {
  await using ws = await workspace();
  const src = await writeFile(ws.dir, "t.csv", "a,b\n1,2\n");
  await ws.vc.add("/t.csv", src);
  const out = join(ws.dir, "out");
  await ws.vc.syncSettled(out);
  const dest = join(out, "t.csv");
  const cached = await ws.vc.path("/t.csv");
  const { value: report, reads, writes } = await countingOpens(() => ws.vc.syncSettled(out));
  assertEquals(report.unchanged.map((c) => c.path), ["/t.csv"]);
  assertEquals(reads.filter((p) => p === dest || p === cached), [dest]);
  assertEquals(writes.filter((p) => p.startsWith(out) && !p.includes(".vc-sync")), []);
});

Deno.test("a re-sync past the timestamp grain marks the record settled: the next one reads nothing", async () => {
  await using ws = await workspace();
  const src = await writeFile(ws.dir, "t.csv", "a,b\n1,2\n");
  await ws.vc.add("/t.csv", src);
  const out = join(ws.dir, "out");
  await ws.vc.syncSettled(out);
  assertEquals((await records(out)).parsed.files["/t.csv"].settled, undefined);
  // The clock 10 s on: the copy's times are past the grain of any edit.
  const now = Date.now;
  const later = now() + 10_000;
  Date.now = () => later;
  try {
    assertEquals((await ws.vc.syncSettled(out)).unchanged.map((c) => c.path), ["/t.csv"]);
  } finally {
    Date.now = now;
  }
  assertEquals((await records(out)).parsed.files["/t.csv"].settled, true);
  const dest = join(out, "t.csv");
  const { value: report, reads } = await countingOpens(() => ws.vc.syncSettled(out));
  assertEquals(report.unchanged.map((c) => c.path), ["/t.csv"]);
  assertEquals(reads.filter((p) => p === dest), []);
});
