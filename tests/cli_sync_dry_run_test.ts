/**
 * `vc sync DEST --dry-run` prints what a sync would copy (and download
 * first), leave and fail, and changes nothing: DEST is not created, the
 * cache not filled. Its exit code is a real run's (1 when an entry would
 * fail), so CI can check a DEST before writing to it.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

interface SyncJson {
  dryRun?: boolean;
  copied: Array<{ path: string; download?: boolean }>;
  unchanged: Array<{ path: string }>;
  failed: Array<{ path: string; errorName: string }>;
}

Deno.test("vc sync --dry-run lists the copies and failures a sync would make, and writes nothing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.write("b.csv", "b\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  assertEquals((await ws.vc("add", "/d/b.csv", "b.csv")).code, 0);

  const first = await ws.vc("sync", "out", "--dry-run");
  assertEquals(first.code, 0, first.stderr);
  assertStringIncludes(first.stdout, `would copy /d/b.csv`);
  assertStringIncludes(first.stdout, `${ws.path("out/d/b.csv")} (download)`);
  assertMatch(
    first.stdout.trimEnd().split("\n").pop() ?? "",
    /^sync \(dry run, nothing changed\): 2 manifest entries: 2 would be copied \(2 downloaded first\), 0 unchanged, 0 would fail; 4 B in /,
  );
  assertEquals(await Deno.lstat(ws.path("out")).catch(() => undefined), undefined);

  assertEquals((await ws.vc("sync", "out")).code, 0);
  await ws.write("out/a.csv", "my edit\n");
  const dry = await ws.vc("sync", "out", "--dry-run", "--json");
  assertEquals(dry.code, 1, dry.stderr);
  const report = dry.json<SyncJson>();
  assertEquals(report.dryRun, true);
  assertEquals(report.copied, []);
  assertEquals(report.unchanged.map((u) => u.path), ["/d/b.csv"]);
  assertEquals(report.failed.map((f) => [f.path, f.errorName]), [
    ["/a.csv", "PreconditionFailedError"],
  ]);
  assertStringIncludes(dry.stderr, "vc: sync would fail: /a.csv: not replacing");
  assertEquals(await ws.read("out/a.csv"), "my edit\n");
  // The real run fails the same entry.
  const real = await ws.vc("sync", "out", "--json");
  assertEquals(real.code, 1);
  assert(real.json<SyncJson>().dryRun === undefined);
  assertEquals(real.json<SyncJson>().failed.map((f) => f.path), ["/a.csv"]);
});

Deno.test("vc sync --dry-run to a DEST that cannot be a directory says the sync would copy nothing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  await ws.write("afile", "x\n");
  const dry = await ws.vc("sync", "afile", "--dry-run");
  assertEquals(dry.code, 1);
  assertStringIncludes(
    dry.stderr,
    `sync to ${ws.path("afile")} would copy nothing: it is a file, not a directory`,
  );
});
