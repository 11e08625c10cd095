/**
 * `repo purge` whose store refuses the content's delete (down past its
 * retries, no `s3:DeleteObject`): the record is purged first (so a crash
 * leaves only an orphan), and the purge then failed with the bare
 * `DELETE … failed: 500`, as if nothing had been done: the record was
 * purged, its content still in the store, and nothing said either or how to
 * finish. The error now says both and names the purge to run again, which
 * deletes the content once the store takes it.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { repoOnFakeS3 } from "./repo_on_fake_s3.ts";

Deno.test("repo purge: a content delete the store refuses is said, and purge again finishes it", async () => {
  await using setup = await repoOnFakeS3("vc_repo_purge_delete_fails_");
  const { s3, repo } = setup;
  const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
  s3.setFaults({
    errorRate: 1,
    match: (t) => t.op === "DeleteObjects" || t.op === "DeleteObject",
  });
  const e = await assertRejects(() => repo.purge(r.id), StoreError);
  s3.setFaults({});
  assertStringIncludes(e.message, "DELETE");
  assertStringIncludes(e.message, `record ${r.id} is purged, but its content ${r.contentKey}`);
  assertStringIncludes(e.message, `the Repository's \`purge(${r.id})\``);
  assertEquals((await repo.get(r.id)).state, "purged");
  // Just deleted: listed as recent (younger than the grace period).
  assertEquals((await repo.check()).recentOrphans.map((o) => o.key), [r.contentKey]);

  assertEquals((await repo.purge(r.id)).state, "purged");
  assertEquals(s3.listKeys("b", "repo/content/"), []);
  assertEquals((await repo.check()).ok, true);
});
