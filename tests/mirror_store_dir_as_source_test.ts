/**
 * A directory once used as a `file://` store holds the directory store's own
 * files beside the data (`.vc~meta~<name>.json` sidecars, `.vc~lock~…`).
 * Mirrored up as a plain local directory, those are vc's, not the user's:
 * left out of the walk with one count in the summary, never uploaded and
 * never a failed "invalid key" at every run.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { RACY_MS, tempDir, until, watchWithTestEvents } from "./mirror_helpers.ts";

/** A tree written once as a directory store: its objects have sidecars. */
async function usedAsStore(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await using store = new FsStore(dir);
  for (const key of ["a.txt", "d/b.txt"]) await store.put(key, new TextEncoder().encode(key));
  const names = [...Deno.readDirSync(join(dir, "d"))].map((e) => e.name).sort();
  assertEquals(names, [".vc~meta~b.txt.json", "b.txt"]); // the premise
}

Deno.test("mirror of a directory once a file:// store leaves out its .vc~ files", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await usedAsStore(src);
  for (const walkThread of [false, true]) {
    const target = new MemoryStore();
    for (let run = 0; run < 2; run++) {
      const r = await mirror({
        sources: [src],
        target,
        statePath: join(w.dir, `${walkThread}.db`),
        racyWindowMs: RACY_MS,
        walkThread,
      });
      assertEquals(r.failed, []);
      assertEquals(r.skipped?.map((s) => [s.key, s.kind]), [
        [".vc~meta~a.txt.json", "internal"],
        ["d/.vc~meta~b.txt.json", "internal"],
      ]);
    }
    const keys = [];
    for await (const o of target.list("")) keys.push(o.key);
    assertEquals(keys, ["a.txt", "d/b.txt"]);
  }
});

Deno.test("vc mirror DIR file:///other: vc's own files are one count, exit 0", async () => {
  await using w = await tempDir();
  await usedAsStore(join(w.dir, "src"));
  for (let run = 0; run < 2; run++) {
    const io = memoryIo({ cwd: w.dir, env: { VC_CACHE_DIR: join(w.dir, "cache") } });
    const code = await runCli(
      ["mirror", "src", `file://${w.dir}/out`, "--state", "s.db"],
      io,
    );
    assertEquals(code, 0, io.stderr());
    assertEquals(io.stderr().includes("invalid key"), false, io.stderr());
    assertStringIncludes(io.stdout(), "2 vc internal files skipped");
  }
});

Deno.test("mirror --watch: an event for a .vc~ sidecar in the source uploads nothing, fails nothing", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await usedAsStore(src);
  const target = new MemoryStore();
  await using watch = watchWithTestEvents(src, target, w.dir);
  await until("the first pass", () => watch.batches.length === 1 && watch.counts.idle > 0);
  await Deno.writeTextFile(join(src, ".vc~meta~new.txt.json"), "{}");
  await Deno.writeTextFile(join(src, "new.txt"), "n");
  watch.events.send({
    kind: "create",
    paths: [join(src, ".vc~meta~new.txt.json"), join(src, "new.txt")],
  });
  await until("the batch", async () => {
    watch.clock.advance(2000);
    return (await target.head("new.txt").catch(() => undefined)) !== undefined &&
      watch.batches.length >= 2;
  });
  assertEquals(watch.batches.flatMap((b) => b.report.failed), []);
  assertEquals(watch.errors, []);
  const keys = [];
  for await (const o of target.list("")) keys.push(o.key);
  assertEquals(keys, ["a.txt", "d/b.txt", "new.txt"]);
});

Deno.test("vc mirror DIR: a user's own .vc~ file (never a store's) is named as skipped, with why", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(join(src, ".vc~drafts"), { recursive: true });
  await Deno.writeTextFile(join(src, ".vc~notes.txt"), "mine");
  await Deno.writeTextFile(join(src, ".vc~drafts", "x.txt"), "mine");
  await Deno.writeTextFile(join(src, "a.txt"), "a");
  const io = memoryIo({ cwd: w.dir, env: { VC_CACHE_DIR: join(w.dir, "cache") } });
  const code = await runCli(["mirror", "src", `file://${w.dir}/out`, "--state", "s.db"], io);
  assertEquals(code, 0, io.stderr());
  // Not "a file:// store's own": this directory never was one.
  assertEquals(io.stdout().includes("store's own"), false, io.stdout());
  assertStringIncludes(io.stdout(), "2 skipped as named with vc's reserved prefix .vc~");
  assertStringIncludes(io.stdout(), ".vc~drafts/");
  assertStringIncludes(io.stdout(), ".vc~notes.txt");
  assertStringIncludes(io.stdout(), "rename to mirror");
});

Deno.test("vc mirror DIR: a user's .VC~ file, the reserved prefix in other letter case, is named as skipped too", async () => {
  // Where names fold, `.VC~META~x.json` is a store's sidecar: a file:// store
  // takes no key of that prefix in any case, so the walk leaves it out as it
  // leaves out `.vc~`, rather than failing its upload at every run.
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(join(src, ".Vc~drafts"), { recursive: true });
  await Deno.writeTextFile(join(src, ".VC~Notes.txt"), "mine");
  await Deno.writeTextFile(join(src, ".Vc~drafts", "x.txt"), "mine");
  await Deno.writeTextFile(join(src, "a.txt"), "a");
  const io = memoryIo({ cwd: w.dir, env: { VC_CACHE_DIR: join(w.dir, "cache") } });
  const code = await runCli(["mirror", "src", `file://${w.dir}/out`, "--state", "s.db"], io);
  assertEquals(code, 0, io.stderr());
  assertStringIncludes(io.stdout(), "2 skipped as named with vc's reserved prefix .vc~");
  assertStringIncludes(io.stdout(), ".VC~Notes.txt");
  assertEquals([...Deno.readDirSync(join(w.dir, "out"))].map((e) => e.name).sort(), [
    ".vc~meta~a.txt.json",
    "a.txt",
  ]);
});

Deno.test("mirror DIR to a store that takes any key uploads a .VC~ file: only .vc~ names are vc's own", async () => {
  // vc names its own files in lower case; `.VC~Notes.txt` is the user's, and
  // only a file:// target (which takes no such key, see above) leaves it out.
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await usedAsStore(src);
  await Deno.mkdir(join(src, ".Vc~drafts"), { recursive: true });
  await Deno.writeTextFile(join(src, ".VC~Notes.txt"), "mine");
  await Deno.writeTextFile(join(src, ".Vc~drafts", "x.txt"), "mine");
  for (const walkThread of [false, true]) {
    const target = new MemoryStore();
    const r = await mirror({
      sources: [src],
      target,
      statePath: join(w.dir, `any-case-${walkThread}.db`),
      racyWindowMs: RACY_MS,
      walkThread,
    });
    assertEquals(r.failed, []);
    assertEquals(r.skipped?.map((s) => [s.key, s.kind]), [
      [".vc~meta~a.txt.json", "internal"],
      ["d/.vc~meta~b.txt.json", "internal"],
    ]);
    const keys = await Array.fromAsync(target.list(""), (o) => o.key);
    assertEquals(keys, [".VC~Notes.txt", ".Vc~drafts/x.txt", "a.txt", "d/b.txt"]);
  }
});
