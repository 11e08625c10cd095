/**
 * A restore of an older snapshot (a backup restored after a mistake, a
 * damaged catalog rebuilt) leaves the content added since the snapshot was
 * taken referenced by no record: its only copy. gc deleted it once it was
 * older than the grace period, so the first routine gc a week after the
 * restore lost the data the operator had restored the backup to keep; the
 * restore only warned (and `vc repo check` said gc deletes it). Now a
 * restore that finds such content marks it in the
 * catalog, and gc keeps every unreferenced object that was in the store
 * then, whatever its age, and says so (`keptRestored`, `keptRestoredBytes`),
 * until `vc repo gc --release-restored` (`releaseRestored` in the library),
 * once what matters was copied out or added again. Content added after the
 * restore and abandoned is still collected after the grace period, and a
 * restore that finds nothing unknown (the latest snapshot) clears the mark.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { restoredOlderSnapshot } from "./repo_snapshot.ts";

const DAY = 86_400_000;

Deno.test("gc keeps content a restored older snapshot does not know until --release-restored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_restored_unknown_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const { laterKey, restored } = await restoredOlderSnapshot(uri);
    assertEquals(restored.unreferencedContent, 1);
    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env: { VC_REPO: uri, NO_COLOR: "1" } });
      assertEquals(await runCli(args, io), 0, io.stderr());
      return io.stdout();
    };
    // Eight days on, past the default grace of seven: still kept, and said.
    const old = new Date(Date.now() - 8 * DAY);
    await Deno.utime(join(dir, "repo", laterKey), old, old);
    // Content added after the restore and abandoned (an add killed before
    // its record) is no restore's business: collected as before.
    const stray = "content/ff/ffffffff-stray.bin";
    await Deno.mkdir(join(dir, "repo", "content", "ff"), { recursive: true });
    await Deno.writeTextFile(join(dir, "repo", stray), "x");
    const older = new Date(Date.now() + 1000);
    const later = new Date(Date.now() + 9 * DAY);
    await Deno.utime(join(dir, "repo", stray), older, older);
    {
      await using repo = await Repository.open(uri, {
        clock: { now: () => later.getTime(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
      });
      const report = await repo.gc();
      assertEquals([report.keptRestored, report.keptRestoredBytes], [[laterKey], 5]);
      // The stray, past the grace at this clock, is deleted.
      assertEquals(report.deletedObjects, [stray]);
    }
    const text = await cli("repo", "gc");
    assertStringIncludes(
      text,
      "kept 1 content object (5 B) that no record names since a restore of an older snapshot",
    );
    assertStringIncludes(text, "--release-restored");
    const json = JSON.parse(await cli("repo", "gc", "--json"));
    assertEquals(json.keptRestored, [laterKey]);
    // check lists it apart, saying gc keeps it (it said gc deletes it).
    const checked = JSON.parse(await cli("repo", "check", "--json"));
    assertEquals(checked.keptRestored.map((o: { key: string }) => o.key), [laterKey]);
    assertEquals([checked.orphans, checked.recentOrphans], [[], []]);
    assertStringIncludes(
      await cli("repo", "check"),
      "1 object no record references since a restore of an older snapshot (added after it was " +
        "taken), kept by gc: record what you need with vc repo adopt KEY PATH, then vc repo gc " +
        "--release-restored collects the rest: " + laterKey,
    );
    // A dry run of the release changes nothing.
    const dry = JSON.parse(await cli("repo", "gc", "--release-restored", "--dry-run", "--json"));
    assertEquals(dry.deletedObjects, [laterKey]);
    assertEquals((await Deno.stat(join(dir, "repo", laterKey))).size, 5);

    // Released: collected as any unreferenced content past its grace.
    const released = JSON.parse(await cli("repo", "gc", "--release-restored", "--json"));
    assertEquals(released.deletedObjects, [laterKey]);
    assertEquals(released.keptRestored, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a restore that finds no unknown content leaves gc nothing to keep", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_restored_unknown_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const bytes = (s: string) => new TextEncoder().encode(s);
    await using repo = await Repository.init(uri);
    await repo.add("/a.csv", bytes("aaa"));
    const old = await repo.backup();
    await repo.add("/b.csv", bytes("bb"));
    const latest = await repo.backup();
    await repo.close();
    await Repository.restore(uri, old.uri, { force: true });
    // The latest snapshot knows everything again: nothing kept as restored.
    const again = await Repository.restore(uri, latest.uri, { force: true });
    assertEquals(again.unreferencedContent, 0);
    await using reopened = await Repository.open(uri);
    const report = await reopened.gc({ graceMs: 0 });
    assertEquals(report.keptRestored, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
