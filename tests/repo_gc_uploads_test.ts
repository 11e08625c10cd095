/**
 * `vc repo gc` and pending multipart uploads where the store refuses to
 * list them (S3 grants `s3:ListBucketMultipartUploads` apart): the rest of
 * the collection goes on, and the report says what was not checked. (The
 * aborting itself is in the repository suite, on the fake S3 and on moto.)
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withUploads } from "./store_with_uploads.ts";
import { AccessDeniedError, StoreError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";
import type { ObjectStore, PendingUpload } from "../src/store/types.ts";

/** A repository with one superseded record, over `openStore`; `fn` runs gc and checks. */
async function withRepo(
  openStoreFn: (uri: string) => Promise<ObjectStore>,
  fn: (repo: Repository, superseded: number) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_uploads_" });
  try {
    await using repo = await Repository.init(`file://${dir}/repo`, { openStore: openStoreFn });
    const a = await repo.add("/x", new Uint8Array([1]));
    const b = await repo.add("/x", new Uint8Array([2]));
    await repo.publish(a.id);
    await repo.publish(b.id);
    await fn(repo, a.id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (
  const [what, error] of [
    ["will not list (no permission)", new AccessDeniedError("ListMultipartUploads: Access Denied")],
    [
      "cannot list (501 NotImplemented)",
      new StoreError("ListMultipartUploads: 501 NotImplemented"),
    ],
  ] as const
) {
  Deno.test(`repo gc: uploads a store ${what} are reported, the rest is collected`, async () => {
    const aborted: PendingUpload[] = [];
    // deno-lint-ignore require-yield
    const refusing = async function* (): AsyncIterable<PendingUpload> {
      throw error;
    };
    const abort = (u: PendingUpload) => (aborted.push(u), Promise.resolve());
    await withRepo(withUploads(refusing, abort), async (repo, superseded) => {
      const report = await repo.gc({});
      assertEquals(report.expired, [superseded], "the rest of the collection went on");
      assertEquals(report.abortedUploads, []);
      assertEquals(aborted, []);
      assert(report.uploadsUnchecked !== undefined);
      assertStringIncludes(report.uploadsUnchecked, "ListMultipartUploads");
    });
  });
}

Deno.test("repo gc: an upload the store refuses to abort is reported; the others are aborted", async () => {
  // Started after the repository was created, before gc runs (grace 0).
  const old = new Date(Date.now() + 1);
  const uploads = [
    { key: "content/a", uploadId: "1", initiated: old },
    { key: "content/b", uploadId: "2", initiated: old },
  ];
  const aborted: string[] = [];
  const listing = async function* (prefix: string): AsyncIterable<PendingUpload> {
    await Promise.resolve();
    yield* uploads.filter((u) => u.key.startsWith(prefix));
  };
  const abort = (u: PendingUpload) => {
    if (u.key === "content/a") {
      return Promise.reject(new AccessDeniedError("AbortMultipartUpload: Access Denied"));
    }
    aborted.push(u.key);
    return Promise.resolve();
  };
  await withRepo(withUploads(() => listing("content/"), abort), async (repo, superseded) => {
    await new Promise((r) => setTimeout(r, 5)); // the uploads' start is now in the past
    const report = await repo.gc({ graceMs: 0 });
    assertEquals(report.expired, [superseded]);
    assertEquals(report.abortedUploads.map((u) => u.key), ["content/b"]);
    assertEquals(aborted, ["content/b"]);
    assertEquals(report.skippedUploads.map((u) => u.key), ["content/a"]);
    assertStringIncludes(report.skippedUploads[0]?.problem ?? "", "Access Denied");
  });
});

Deno.test("repo gc: an old upload that took a part since the grace period is kept and reported as live", async () => {
  const old = new Date(Date.now() + 1);
  const uploads = [
    { key: "content/live", uploadId: "1", initiated: old },
    { key: "content/dead", uploadId: "2", initiated: old },
  ];
  const aborted: string[] = [];
  const listing = async function* (prefix: string): AsyncIterable<PendingUpload> {
    await Promise.resolve();
    yield* uploads.filter((u) => u.key.startsWith(prefix));
  };
  const abort = (u: PendingUpload) => (aborted.push(u.key), Promise.resolve());
  // The live writer's newest part is from the future: after any cutoff.
  const lastPart = (u: PendingUpload) =>
    Promise.resolve(u.key === "content/live" ? new Date(Date.now() + 86_400_000) : undefined);
  await withRepo(withUploads(() => listing("content/"), abort, lastPart), async (repo) => {
    await new Promise((r) => setTimeout(r, 5)); // the uploads' start is now in the past
    const report = await repo.gc({ graceMs: 0 });
    assertEquals(aborted, ["content/dead"]);
    assertEquals(report.abortedUploads.map((u) => u.key), ["content/dead"]);
    assertEquals(report.liveUploads.map((u) => u.key), ["content/live"]);
  });
});
