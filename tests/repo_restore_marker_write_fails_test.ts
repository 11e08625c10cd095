/**
 * `repo restore SNAPSHOT --catalog C` into a new store (a lost store's
 * content copied there) whose store fails the marker's write, the restore's
 * last step: the catalog was restored, but the error was the bare `PUT
 * …/.vc-repo.json failed: 500`, and the same restore run again was refused
 * (`already holds 1 record …`). The error now says the catalog was restored
 * and the marker not written, and names the way on: the same restore with
 * `--force`, which finishes.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { Repository } from "../src/repo/mod.ts";
import { oneRecordSnapshot } from "./repo_snapshot.ts";

Deno.test("repo restore: a marker the store fails to write is said, and restore --force finishes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_marker_fails_" });
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const openStoreHere = (u: string) => openStore(u, testS3Options(s3, { maxAttempts: 1 }));
  try {
    const snapshot = join(dir, "snap.jsonl.gz");
    await oneRecordSnapshot("s3://b/old", snapshot, {
      catalog: `sqlite:${join(dir, "old.sqlite")}`,
      openStore: openStoreHere,
    });
    const catalog = `sqlite:${join(dir, "new.sqlite")}`;
    const restore = (force: boolean) =>
      Repository.restore("s3://b/new", snapshot, { catalog, force, openStore: openStoreHere });
    s3.setFaults({
      errorRate: 1,
      match: (t) => t.op === "PutObject" && t.key === "new/.vc-repo.json",
    });
    const e = await assertRejects(() => restore(false), StoreError);
    s3.setFaults({});
    assertStringIncludes(e.message, "PUT");
    assertStringIncludes(e.message, `the catalog ${catalog} was restored`);
    assertStringIncludes(e.message, "run the same restore again with the force option");

    assertEquals((await restore(true)).records, 1);
    await using repo = await Repository.open("s3://b/new", { openStore: openStoreHere });
    assertEquals((await repo.list({})).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
