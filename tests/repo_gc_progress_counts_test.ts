/**
 * `vc repo gc`'s bar only repeated its phase (already printed as an info
 * line), and at 40 columns showed `…n: nothing is changed)`: no count of
 * what it had done. The library now reports counts through `onProgress`
 * (records expired and purged, objects listed and deleted), and the bar
 * shows them with a short step name that fits a narrow terminal.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { type GcProgress, Repository } from "../src/repo/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo gc: onProgress counts the records purged and the objects listed and deleted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_progress_" });
  try {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href, { clock });
    const bytes = new TextEncoder().encode("v");
    for (let i = 0; i < 3; i++) await repo.add(`/a${i}.txt`, bytes);
    const kept = await repo.publish((await repo.add("/kept.txt", bytes)).id);
    clock.advance(8 * 24 * 3600 * 1000);
    const seen: GcProgress[] = [];
    const report = await repo.gc({ onProgress: (p) => seen.push(p) });
    assertEquals(report.purgedUnpublished.length, 3);
    // By then all three records were purged and their objects deleted.
    const soFar = { expired: 0, purged: 3, deleted: 3 };
    const last = (step: string) => seen.filter((p) => p.step === step).at(-1);
    assertEquals(last("purging records"), { step: "purging records", done: 3, total: 3, soFar });
    assertEquals(last("deleting objects"), { step: "deleting objects", done: 0, total: 0, soFar });
    // The listing comes first (it says which purged content the store
    // holds): all four are listed, before anything was done.
    assertEquals(last("listing objects"), {
      step: "listing objects",
      done: 4,
      soFar: { expired: 0, purged: 0, deleted: 0 },
    });
    assertEquals(seen.filter((p) => p.step === "deleting objects" && p.total === 3).at(-1), {
      step: "deleting objects",
      done: 3,
      total: 3,
      soFar,
    });
    assertEquals((await repo.get(kept.id)).state, "published");
    // A dry run changes nothing, and says it only finds and lists.
    const dry: GcProgress[] = [];
    await repo.gc({ dryRun: true, onProgress: (p) => dry.push(p) });
    assert(
      dry.every((p) => !/expiring|purging|deleting|aborting/.test(p.step)),
      JSON.stringify(dry),
    );
    assert(dry.some((p) => p.step === "listing objects" && p.done === 1), JSON.stringify(dry));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc repo gc: the bar counts, and keeps its step on a 40-column terminal", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  await ws.write("a.txt", "a");
  assertEquals((await ws.run(["repo", "add", "/a.txt", "a.txt", "--repo", repo])).code, 0);
  const io = memoryIo({
    env: { ...ws.env, TERM: "xterm", COLUMNS: "40" },
    cwd: ws.dir,
    stderrIsTerminal: true,
  });
  const realSize = Deno.consoleSize;
  Deno.consoleSize = () => ({ columns: 40, rows: 24 });
  let code;
  try {
    code = await runCli(["repo", "gc", "--repo", repo, "--dry-run"], io);
  } finally {
    Deno.consoleSize = realSize;
  }
  const stderr = io.stderr();
  assertEquals(code, 0, stderr);
  const drawn = stderr.split("\r\x1b[K").map((l) => l.split("\n").at(-1)!).filter((l) => l);
  // Each step drawn at once, with its count (the next count of a step
  // without a total waits for the redraw interval).
  assert(
    drawn.some((l) => /^gc \(dry run\) {2}\d+ {2}listing objects$/.test(l)),
    JSON.stringify(drawn),
  );
  assert(drawn.some((l) => l === "gc (dry run)  0/0  finding records"), JSON.stringify(drawn));
  assert(drawn.every((l) => l.length < 40), JSON.stringify(drawn));
  assert(!stderr.includes("…n: nothing is changed)"), JSON.stringify(stderr));
});
