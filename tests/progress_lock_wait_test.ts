/**
 * A long operation waiting behind another process's lock (a forced restore
 * behind another's rebuild of the damaged SQLite catalog, a write behind
 * another process's lock on the catalog, `vc cache get` behind another
 * process's download of the same entry) said so once, in a warning above the
 * bar, while the bar went on showing the step before the wait: `100%  4.8
 * MB/4.8 MB  0 B/s  checking the snapshot` for the whole wait behind another
 * restore, `100%  3 B/3 B  0 B/s  uploading` behind a catalog lock. Now the
 * bar says what it waits for, with the time waited, until the operation
 * moves again; off a terminal, the CI log's periodic line says it too (it
 * was skipped: the step before the wait was complete).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ProgressBar } from "../src/progress.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { Output } from "../src/cli/output.ts";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("progress: a wait replaces the step's figures with what it waits for and the time waited", () => {
  let screen = "";
  let t = 0;
  const bar = new ProgressBar({
    label: "restore",
    enabled: true,
    write: (s) => (screen += s),
    now: () => t,
    columns: 100,
  });
  bar.onStep({ current: "checking the snapshot", bytes: 4_800_000, totalBytes: 4_800_000 });
  bar.wait("waiting for another restore that is rebuilding the SQLite catalog /srv/r.sqlite");
  // Drawn at once, without the last step's figures.
  const drawn = screen.slice(screen.lastIndexOf("\r\x1b[K") + 4);
  assertStringIncludes(drawn, "restore  waiting for another restore");
  assert(!drawn.includes("checking") && !drawn.includes("4.8 MB"), drawn);
  t = 12_000;
  assertStringIncludes(bar.line(), "waited 0:12");
  // The operation moves again: its own line, the wait gone.
  bar.onStep({ current: "writing the catalog", done: 10, total: 100 });
  assert(!bar.line().includes("waiting") && bar.line().includes("10/100"), bar.line());
  bar.done();
  assert(screen.endsWith("\r\x1b[K"));
});

Deno.test("progress: a wait on a narrow terminal keeps its verb and fits the width", () => {
  const bar = new ProgressBar({
    label: "upload /data/2026/big.bin",
    enabled: true,
    write: () => {},
    columns: 40,
  });
  bar.onBytes({ bytes: 3, total: 3 });
  bar.wait("waiting for a lock another process holds on the catalog");
  const line = bar.line();
  assert(line.startsWith("waiting") || line.includes(" waiting"), line);
  assert([...line].length <= 39, line);
});

Deno.test("progress: off a terminal, a wait after a complete step still gets its periodic log line", async () => {
  const lines: string[] = [];
  const bar = new ProgressBar({
    label: "restore",
    enabled: false,
    write: (s) => lines.push(s),
    logIntervalMs: 10,
  });
  try {
    bar.onStep({ current: "checking the snapshot", bytes: 10, totalBytes: 10 });
    bar.wait("waiting for another restore");
    // Bounded: the timer writes within a few intervals.
    for (let i = 0; i < 200 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assertEquals(lines.length > 0, true, "no log line during the wait");
    assertStringIncludes(lines[0]!, "restore  waiting for another restore");
    assert(!lines[0]!.includes("\r") && lines[0]!.endsWith("\n"), lines[0]);
  } finally {
    bar.done();
  }
});

Deno.test("output: a wait notice is a warning, and the bar says what it waits for", () => {
  const io = memoryIo({ stderrIsTerminal: true, env: { TERM: "xterm", NO_COLOR: "1" } });
  const out = new Output(io);
  const bar = out.progress("upload /small.txt");
  bar.onStep({ current: "uploading", bytes: 3, totalBytes: 3 });
  out.waiting(
    "catalog sqlite:/r/.vc~repo.sqlite is busy: waiting for a lock another process holds on it " +
      "(a long write such as a gc or a restore); `fuser /r/.vc~repo.sqlite` names them",
  );
  const err = io.stderr();
  assertStringIncludes(err, "vc: warning: catalog sqlite:/r/.vc~repo.sqlite is busy");
  const drawn = err.slice(err.lastIndexOf("\r\x1b[K") + 4);
  assertStringIncludes(drawn, "waiting for a lock another process holds on the catalog");
  assert(!drawn.includes("uploading"), drawn);
  bar.done();
});

Deno.test("vc repo restore --force behind another restore's rebuild: the bar says it waits, not the step before", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_wait_progress_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  try {
    const repo = await Repository.init(uri);
    await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
    const { uri: snapshot } = await repo.backup();
    await repo.close();
    const catalogPath = join(dir, "repo", ".vc~repo.sqlite");
    await Deno.writeTextFile(catalogPath, "not a database ".repeat(600));
    // The other restore, played by the test holding its lock.
    const lock = await Deno.open(`${catalogPath}.rebuild-lock`, { create: true, write: true });
    let held = true;
    try {
      await lock.lock(true);
      const io = memoryIo({ stderrIsTerminal: true, cwd: dir, env: { TERM: "xterm", HOME: dir } });
      const run = runCli(["repo", "restore", snapshot, "--force", "--repo", uri], io);
      let settled = false;
      run.finally(() => (settled = true));
      // Bounded: the wait is said after a second of it.
      for (let i = 0; i < 300 && !settled && !io.stderr().includes("waiting for another"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const err = io.stderr();
      assertStringIncludes(err, "waiting for another restore");
      const drawn = err.slice(err.lastIndexOf("\r\x1b[K") + 4);
      assertStringIncludes(drawn, "restore  waiting for another restore");
      assert(!drawn.includes("checking the snapshot"), drawn);
      lock.close();
      held = false;
      assertEquals(await run, 0, io.stderr());
      // The bar erased at the end, its last line before it no longer the wait.
      assert(io.stderr().endsWith("\r\x1b[K"), io.stderr());
      assertStringIncludes(io.stdout(), "restored 1 record");
    } finally {
      if (held) lock.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("output: the cache's wait notice, a warning of kind 'wait', shows on the bar; other warnings do not", () => {
  const io = memoryIo({ stderrIsTerminal: true, env: { TERM: "xterm", NO_COLOR: "1" } });
  const out = new Output(io);
  const bar = out.progress("download s3://b/big.bin");
  out.warn("vc: some other warning");
  assert(!bar.line().includes("warning"), bar.line());
  out.warn(
    "vc: waiting for process 7 to finish downloading s3://b/big.bin (lock /c/.big.bin.vc-tmp-0-shared); " +
      "giving up once it writes nothing for 60s (VC_LOCK_WAIT)",
    "wait",
  );
  const err = io.stderr();
  const drawn = err.slice(err.lastIndexOf("\r\x1b[K") + 4);
  assertStringIncludes(drawn, "waiting for process 7 to finish downloading");
  bar.onBytes({ bytes: 5, total: 10 });
  assertStringIncludes(bar.line(), "50%");
  bar.done();
});
