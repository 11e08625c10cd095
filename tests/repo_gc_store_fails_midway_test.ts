/**
 * `repo gc` whose store fails midway (a content delete refused past its
 * retries, after the batch's records were purged): gc failed with the bare
 * `DELETE … failed: 500`, as if it had done nothing, while it had expired
 * and purged records and left their content in the store. The error now
 * names the step it stopped at, says that what it did stays done, counted as
 * an interrupted gc counts it (before, a failure said no count: `vc repo gc
 * --json` gave only the error), and that gc run again finishes the rest; run
 * again, it does.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { repoOnFakeS3 } from "./repo_on_fake_s3.ts";

Deno.test("repo gc: a store failing midway says where gc stopped, and gc again finishes", async () => {
  await using setup = await repoOnFakeS3("vc_repo_gc_store_fails_");
  const { s3, repo } = setup;
  const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
  await repo.expire(r.id);
  // Expired before gc's now, which a retention of 0 compares with `<`.
  await new Promise((resolve) => setTimeout(resolve, 5));
  s3.setFaults({
    errorRate: 1,
    match: (t) => t.op === "DeleteObjects" || t.op === "DeleteObject",
  });
  const e = await assertRejects(() => repo.gc({ graceMs: 0, retentionMs: 0 }), StoreError);
  s3.setFaults({});
  assertStringIncludes(e.message, "DELETE");
  assertStringIncludes(e.message, "gc stopped while purging abandoned and retired records");
  // What it did, counted, as an interrupted gc says it.
  assertStringIncludes(
    e.message,
    "what it did before stays done (expired 0 superseded, purged 1 record, deleted 0 content " +
      "objects)",
  );
  assertStringIncludes(e.message, "the Repository's `gc()`");
  assertEquals((await repo.get(r.id)).state, "purged");

  const again = await repo.gc({ graceMs: 0, retentionMs: 0 });
  assertEquals(again.deletedObjects, [r.contentKey]);
  assertEquals(s3.listKeys("b", "repo/content/"), []);
  assertEquals((await repo.check()).ok, true);
});
