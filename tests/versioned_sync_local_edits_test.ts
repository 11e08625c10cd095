/**
 * `vc sync DEST` never overwrites a file in DEST that changed since vc wrote
 * it, or one vc never wrote, without `--force`: it used to replace a user's
 * edit of a synced file without a word (exit 0). vc remembers the size and
 * modification time of each file it wrote (`DEST/.vc-sync.json`); a file
 * that still matches, or that holds exactly the bytes to be written, is
 * replaced as before.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { workspace } from "./versioned_helpers.ts";
import { PreconditionFailedError } from "../src/errors.ts";

interface SyncJson {
  copied: Array<{ path: string }>;
  failed: Array<{ path: string; error: string; errorName: string }>;
}

/** A workspace whose manifest pins /d/a.csv and /d/b.csv, synced once to `out`. */
async function synced(): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.write("b.csv", "b\n");
  assertEquals((await ws.vc("add", "/d/a.csv", "a.csv")).code, 0);
  assertEquals((await ws.vc("add", "/d/b.csv", "b.csv")).code, 0);
  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 0, r.stderr);
  return ws;
}

Deno.test("vc sync refuses to overwrite a file edited in DEST, names it, and copies the rest", async () => {
  await using ws = await synced();
  await ws.write("out/d/a.csv", "a\nmy edit\n");
  await ws.write("b2.csv", "b2\n");
  assertEquals((await ws.vc("update", "/d/b.csv", "b2.csv", "--patch")).code, 0);

  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, ws.path("out/d/a.csv"));
  assertStringIncludes(r.stderr, "changed since vc sync wrote it");
  assertStringIncludes(r.stderr, "--force");
  assertEquals(await ws.read("out/d/a.csv"), "a\nmy edit\n", "the edit is kept");
  assertEquals(await ws.read("out/d/b.csv"), "b2\n", "an untouched copy follows the new pin");

  const j = await ws.vc("sync", "out", "--json");
  assertEquals(j.code, 1);
  const report = j.json<SyncJson>();
  assertEquals(report.failed.map((f) => [f.path, f.errorName]), [
    ["/d/a.csv", "PreconditionFailedError"],
  ]);

  const forced = await ws.vc("sync", "out", "--force");
  assertEquals(forced.code, 0, forced.stderr);
  assertEquals(await ws.read("out/d/a.csv"), "a\n");
  // Written by vc again: the next sync replaces it without --force.
  assertEquals((await ws.vc("sync", "out")).code, 0);
});

Deno.test("vc sync refuses a file vc never wrote, unless it already holds the entry's bytes", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.write("b.csv", "b\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  assertEquals((await ws.vc("add", "/b.csv", "b.csv")).code, 0);
  // A DEST filled by baiji-pod's sync, an older vc, or by hand: no record.
  await ws.write("out/a.csv", "a\n");
  await ws.write("out/b.csv", "notes of mine\n");

  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `${ws.path("out/b.csv")}: it was not written by vc sync`);
  assertEquals(await ws.read("out/b.csv"), "notes of mine\n");
  assert(!r.stderr.includes("/a.csv:"), "the identical copy is adopted: " + r.stderr);
  // Adopted: once the pin moves, its copy follows without --force.
  await ws.write("a2.csv", "a2\n");
  assertEquals((await ws.vc("update", "/a.csv", "a2.csv", "--patch")).code, 0);
  const again = await ws.vc("sync", "out", "--json");
  assertEquals(again.json<SyncJson>().failed.map((f) => f.path), ["/b.csv"]);
  assertEquals(await ws.read("out/a.csv"), "a2\n");
});

Deno.test({
  name:
    "vc sync refuses a link or a directory put where it wrote a file; --force replaces the link only",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await using ws = await synced();
    const precious = await ws.write("precious.txt", "keep\n");
    await Deno.remove(ws.path("out/d/a.csv"));
    await Deno.symlink(precious, ws.path("out/d/a.csv"));
    await Deno.remove(ws.path("out/d/b.csv"));
    await ws.write("out/d/b.csv/inside.txt", "mine\n");

    const r = await ws.vc("sync", "out");
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, `${ws.path("out/d/a.csv")}: it is a symbolic link`);
    assert(Deno.lstatSync(ws.path("out/d/a.csv")).isSymlink, "the link is left as it was");

    const forced = await ws.vc("sync", "out", "--force");
    assertEquals(forced.code, 1, "a directory is never replaced");
    assertEquals(await ws.read("precious.txt"), "keep\n", "never written through");
    assert(!Deno.lstatSync(ws.path("out/d/a.csv")).isSymlink);
    assertEquals(await ws.read("out/d/a.csv"), "a\n");
    assertEquals(await ws.read("out/d/b.csv/inside.txt"), "mine\n");
  },
});

Deno.test("syncSettled: a refused file is a PreconditionFailedError; force overwrites it", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(join(ws.dir, "t.csv"), "t\n");
  await ws.vc.add("/t.csv", join(ws.dir, "t.csv"));
  const out = join(ws.dir, "out");
  assertEquals((await ws.vc.syncSettled(out)).failed, []);
  await Deno.writeTextFile(join(out, "t.csv"), "edited\n");
  const r = await ws.vc.syncSettled(out);
  assert(r.failed[0]?.error instanceof PreconditionFailedError, String(r.failed[0]?.error));
  assertEquals(await Deno.readTextFile(join(out, "t.csv")), "edited\n");
  assertEquals((await ws.vc.syncSettled(out, { force: true })).failed, []);
  assertEquals(await Deno.readTextFile(join(out, "t.csv")), "t\n");
});

// The records are read at the start of a sync and written at its end: two
// syncs into one DEST at once (two manifests) used to lose one's records,
// so the next sync took that one's files for the user's.
Deno.test("two syncs into one DEST at once keep both's records", async () => {
  await using ws = await workspace();
  const other = join(ws.dir, "repo", "other.json");
  const { VersionedCache } = await import("../src/versioned/versioned_cache.ts");
  await using vc2 = new VersionedCache({ manifest: other, bucket: ws.bucket, cache: ws.cache });
  await Deno.writeTextFile(join(ws.dir, "a.csv"), "a\n");
  await Deno.writeTextFile(join(ws.dir, "b.csv"), "b\n");
  await ws.vc.add("/a.csv", join(ws.dir, "a.csv"));
  await vc2.add("/b.csv", join(ws.dir, "b.csv"));
  const out = join(ws.dir, "out");
  const both = await Promise.all([ws.vc.syncSettled(out), vc2.syncSettled(out)]);
  assertEquals(both.map((r) => r.failed), [[], []]);
  await Deno.writeTextFile(join(ws.dir, "a.csv"), "a2\n");
  await Deno.writeTextFile(join(ws.dir, "b.csv"), "b2\n");
  await ws.vc.update("/a.csv", join(ws.dir, "a.csv"), { patch: true });
  await vc2.update("/b.csv", join(ws.dir, "b.csv"), { patch: true });
  assertEquals((await ws.vc.syncSettled(out)).failed, []);
  assertEquals((await vc2.syncSettled(out)).failed, []);
  assertEquals(await Deno.readTextFile(join(out, "b.csv")), "b2\n");
});

Deno.test("a manifest path naming the sync's record file fails on its own", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(join(ws.dir, "t.csv"), "t\n");
  await ws.vc.add("/.vc-sync.json", join(ws.dir, "t.csv"));
  await ws.vc.add("/t.csv", join(ws.dir, "t.csv"));
  const r = await ws.vc.syncSettled(join(ws.dir, "out"));
  assertEquals(r.copied.map((c) => c.path), ["/t.csv"]);
  assertEquals(r.failed.map((f) => f.path), ["/.vc-sync.json"]);
  assertStringIncludes(String(r.failed[0]?.error), "record");
});

Deno.test("a record file vc sync cannot write is named, not a bare os error", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(join(ws.dir, "t.csv"), "t\n");
  await ws.vc.add("/t.csv", join(ws.dir, "t.csv"));
  const out = join(ws.dir, "out");
  await Deno.mkdir(join(out, ".vc-sync.json"), { recursive: true });
  const e = await ws.vc.syncSettled(out).then(() => undefined, (e: Error) => e);
  assertStringIncludes(String(e), `\`sync()\` cannot keep its records in ${out}`);
});

// The inode was part of the record: a DEST copied elsewhere with its times
// (`cp -a` to another disk), or on a network / FUSE file system that
// renumbers inodes on each mount, had every file taken for the user's.
Deno.test("a DEST copied with its modification times kept is still vc's to update", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(join(ws.dir, "t.csv"), "t\n");
  await ws.vc.add("/t.csv", join(ws.dir, "t.csv"));
  const out = join(ws.dir, "out");
  assertEquals((await ws.vc.syncSettled(out)).failed, []);
  const moved = join(ws.dir, "moved");
  await Deno.mkdir(moved);
  for (const name of ["t.csv", ".vc-sync.json"]) {
    await Deno.copyFile(join(out, name), join(moved, name));
    const { mtime, atime } = await Deno.stat(join(out, name));
    await Deno.utime(join(moved, name), atime!, mtime!);
  }
  await Deno.writeTextFile(join(ws.dir, "t.csv"), "t2\n");
  await ws.vc.update("/t.csv", join(ws.dir, "t.csv"), { patch: true });
  assertEquals((await ws.vc.syncSettled(moved)).failed, []);
  assertEquals(await Deno.readTextFile(join(moved, "t.csv")), "t2\n");
});

// A second sync into one DEST waits for the first to finish: it used to
// wait without a word, a sync that seemed hung.
Deno.test({
  name: "a sync that waits for another sync into the same DEST says so",
  ignore: Deno.build.os === "windows", // flock
  async fn() {
    await using ws = await workspace();
    await Deno.writeTextFile(join(ws.dir, "t.csv"), "t\n");
    await ws.vc.add("/t.csv", join(ws.dir, "t.csv"));
    const out = join(ws.dir, "out");
    await Deno.mkdir(out);
    // Held on its own open file, as another process would hold it.
    const holder = Deno.openSync(join(out, ".vc-sync.json.lock"), {
      read: true,
      write: true,
      create: true,
    });
    holder.lockSync(true);
    const warnings: string[] = [];
    const kinds: (string | undefined)[] = [];
    const sync = ws.vc.syncSettled(out, {
      onWarning: (w) => (warnings.push(w.message), kinds.push(w.kind)),
    });
    const until = Date.now() + 5000;
    while (warnings.length === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
    holder.close();
    assertEquals((await sync).copied.map((c) => c.path), ["/t.csv"]);
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, `waiting for another \`sync()\` into ${out} to finish`);
    // Told as a wait (the CLI's bar shows it), not by its words.
    assertEquals(kinds, ["wait"]);
  },
});

// The record held only the size and the modification time: a same-size edit
// whose mtime was set back (`touch -d`, `touch -r`, an editor or a
// `cp -p` / `rsync -t` that keeps times) matched it, and the next sync
// replaced the edit without a word (exit 0).
Deno.test("vc sync refuses a same-size edit whose modification time was set back", async () => {
  await using ws = await synced();
  const file = ws.path("out/d/a.csv");
  const written = await Deno.stat(file);
  // A change time in a later second than the write's (Deno gives it to the
  // second): the edit below then moves it, as any edit after a sync does.
  // 100 ms past the boundary: file times come from the kernel's coarse
  // clock, which may still be in the last second when Date.now() is not.
  const nextSecond = (Math.floor(written.ctime!.getTime() / 1000) + 1) * 1000;
  while (Date.now() < nextSecond + 100) await new Promise((r) => setTimeout(r, 50));
  await Deno.writeTextFile(file, "A\n"); // same size as "a\n"
  await Deno.utime(file, written.atime!, written.mtime!);
  const edited = await Deno.stat(file);
  assertEquals([edited.size, edited.mtime], [written.size, written.mtime]);

  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `${file}: it changed since vc sync wrote it`);
  assertEquals(await ws.read("out/d/a.csv"), "A\n", "the edit is kept");
  assertEquals(await ws.read("out/d/b.csv"), "b\n");
});

// Only the times moved (`touch`, a copy without -p, a restore that sets
// them): the file still holds what vc wrote, so a new pin replaces it. It
// used to be compared with the new pin's bytes only, and refused.
Deno.test("vc sync still updates a synced file that was only touched", async () => {
  await using ws = await synced();
  const file = ws.path("out/d/a.csv");
  const later = new Date(Date.now() + 3_600_000);
  await Deno.utime(file, later, later);
  await ws.write("a2.csv", "a2\n");
  assertEquals((await ws.vc("update", "/d/a.csv", "a2.csv", "--patch")).code, 0);

  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 0, r.stderr);
  assertEquals(await ws.read("out/d/a.csv"), "a2\n");
});
