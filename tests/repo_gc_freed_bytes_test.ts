/**
 * `vc repo gc` after a forced restore of an older snapshot: the content added
 * since the snapshot is referenced by no record, and gc deletes it once it is
 * older than the grace period (younger, it may be an `add` in flight). Its
 * report said `deleted 0 content objects` and nothing of what it kept, so an
 * operator who ran gc to reclaim the restore's leftovers could not tell
 * whether gc saw them at all, nor, once it deleted them, how much space that
 * gave back. Now gc reports the unreferenced content it kept as too recent
 * (`keptRecentObjects`, `keptRecentBytes`: `kept 1 unreferenced content
 * object (5 B) younger than the grace period …`) and the bytes it deleted
 * (`freedBytes`: `deleted 1 content object (5 B)`), a dry run what it would.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const DAY = 86_400_000;

Deno.test("repo gc says what unreferenced content it kept as recent and how many bytes it freed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_freed_bytes_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    let laterKey: string;
    let firstId: number;
    {
      await using repo = await Repository.init(uri);
      firstId = (await repo.publish((await repo.add("/a.csv", new TextEncoder().encode("aaa"))).id))
        .id;
      const { uri: snapshot } = await repo.backup();
      const later = await repo.publish(
        (await repo.add("/b.csv", new TextEncoder().encode("bbbbb"))).id,
      );
      laterKey = later.contentKey;
      await repo.close();
      await Repository.restore(uri, snapshot, { force: true });
      // The restore marks the later content for gc to keep (see
      // repo_gc_keeps_content_restore_does_not_know_test.ts): released here,
      // as once it was copied out, so the grace alone decides.
      await using restored = await Repository.open(uri);
      await restored.gc({ releaseRestored: true, graceMs: DAY });
    }
    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env: { VC_REPO: uri, NO_COLOR: "1" } });
      assertEquals(await runCli(args, io), 0, io.stderr());
      return io.stdout();
    };
    // Just restored: the later content is too recent to delete, and said so.
    const kept = JSON.parse(await cli("repo", "gc", "--json"));
    assertEquals(kept.deletedObjects, []);
    assertEquals(kept.freedBytes, 0);
    assertEquals(kept.keptRecentObjects, 1);
    assertEquals(kept.keptRecentBytes, 5);
    assertStringIncludes(
      await cli("repo", "gc"),
      "kept 1 unreferenced content object (5 B) younger than the grace period",
    );

    // Eight days on, past the default grace of seven.
    const old = new Date(Date.now() - 8 * DAY);
    await Deno.utime(join(dir, "repo", laterKey), old, old);
    const dry = JSON.parse(await cli("repo", "gc", "--dry-run", "--json"));
    assertEquals([dry.deletedObjects, dry.freedBytes, dry.keptRecentObjects], [[laterKey], 5, 0]);
    assertStringIncludes(
      await cli("repo", "gc", "--dry-run"),
      "would delete 1 content object (5 B)",
    );
    const text = await cli("repo", "gc");
    assertStringIncludes(text, "deleted 1 content object (5 B)");

    // A purged record's content counts too: expired, then past its retention.
    {
      await using repo = await Repository.open(uri);
      await repo.expire(firstId);
    }
    const now = Date.now();
    await using later = await Repository.open(uri, {
      clock: { now: () => now + 40 * DAY, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    });
    const report = await later.gc();
    assertEquals(report.purgedExpired, [firstId]);
    assertEquals(report.freedBytes, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
