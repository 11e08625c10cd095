/**
 * A `vc repo backup` killed mid-upload (`kill -9`, a lost machine) on S3
 * leaves a multipart upload under `backups/` (a snapshot past the multipart
 * threshold), whose parts S3 keeps, and bills, until it is aborted: gc aborts
 * it once older than its grace, as it aborts an `add`'s under `content/`, and
 * `check` lists it. Before, both looked under `content/` only, so such an
 * upload stayed forever unseen.
 */
import { assertEquals } from "./assert.ts";
import { withUploads } from "./store_with_uploads.ts";
import { Repository } from "../src/repo/repository.ts";
import type { PendingUpload } from "../src/store/types.ts";

Deno.test("repo gc and check: a killed backup's multipart upload under backups/ is seen and aborted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_backup_upload_" });
  try {
    // Started after the repository was created, before gc runs (grace 0).
    const started = new Date(Date.now() + 1);
    let uploads: PendingUpload[] = [
      {
        key: "backups/catalog-2026-12-03T09-00-00-000Z.jsonl.gz",
        uploadId: "b",
        initiated: started,
      },
    ];
    const listing = async function* (): AsyncIterable<PendingUpload> {
      await Promise.resolve();
      yield* uploads;
    };
    const abort = (u: PendingUpload) => {
      uploads = uploads.filter((x) => x.uploadId !== u.uploadId);
      return Promise.resolve();
    };
    await using repo = await Repository.init(`file://${dir}/repo`, {
      openStore: withUploads(listing, abort),
    });
    await repo.add("/x", new Uint8Array([1]));
    const check = await repo.check();
    assertEquals(check.pendingUploads.map((u) => u.key), [
      "backups/catalog-2026-12-03T09-00-00-000Z.jsonl.gz",
    ]);
    await new Promise((r) => setTimeout(r, 5)); // the upload's start is now in the past
    const report = await repo.gc({ graceMs: 0 });
    assertEquals(report.abortedUploads.map((u) => u.key), [
      "backups/catalog-2026-12-03T09-00-00-000Z.jsonl.gz",
    ]);
    assertEquals(uploads, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
