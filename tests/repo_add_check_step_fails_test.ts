/**
 * `repo add` whose store fails after the content went up, while the upload
 * is checked (the HEAD of a multipart upload's `vc-md5` answering 500 past
 * its retries): the add failed with the bare `HEAD … failed: 500`, and left
 * the uploaded content in the store, recorded by nothing and said to nobody.
 * Now the upload is deleted (nothing records it) and the error says that
 * nothing was recorded and what became of the upload: deleted, or, when the
 * store refuses that too, left under its key for `gc` (`vc repo check`
 * lists it).
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { Repository } from "../src/repo/mod.ts";

const PART = 64 * 1024;

async function withRepo(
  fn: (
    repo: Repository,
    s3: Awaited<ReturnType<typeof startFakeS3>>,
    file: string,
  ) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_check_fails_" });
  const store = testS3Options(s3, {
    maxAttempts: 1,
    multipartThreshold: PART,
    partSize: PART,
    concurrency: 1,
  });
  try {
    await using repo = await Repository.init("s3://b/repo", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u: string) => openStore(u, store),
    });
    const file = join(dir, "a.bin");
    await Deno.writeFile(file, new Uint8Array(3 * PART).fill(7));
    await fn(repo, s3, file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Fails every request of `ops` once a multipart upload completed. */
function failAfterUpload(s3: Awaited<ReturnType<typeof startFakeS3>>, ops: string[]): void {
  let completed = false;
  s3.setFaults({
    errorRate: 1,
    match: (t) => {
      if (t.op === "CompleteMultipartUpload") completed = true;
      return completed && ops.includes(t.op);
    },
  });
}

Deno.test("repo add: a store failing while the upload is checked deletes the upload and says so", async () => {
  await withRepo(async (repo, s3, file) => {
    failAfterUpload(s3, ["HeadObject"]);
    const e = await assertRejects(() => repo.add("/a.bin", file), StoreError);
    s3.setFaults({});
    assertStringIncludes(e.message, "HEAD");
    assertStringIncludes(e.message, "nothing was recorded for /a.bin");
    assertStringIncludes(e.message, "the upload was deleted");
    assertEquals(s3.listKeys("b", "repo/content/"), []);
    assertEquals(await repo.list({}), []);
    assertEquals((await repo.check()).ok, true);
  });
});

Deno.test("repo add: an upload the failing store keeps is named in the error, and check lists it", async () => {
  await withRepo(async (repo, s3, file) => {
    failAfterUpload(s3, ["HeadObject", "DeleteObjects", "DeleteObject"]);
    const e = await assertRejects(() => repo.add("/a.bin", file), StoreError);
    s3.setFaults({});
    const left = s3.listKeys("b", "repo/content/");
    assertEquals(left.length, 1);
    const key = left[0]!.slice("repo/".length);
    assertStringIncludes(e.message, "nothing was recorded for /a.bin");
    assertStringIncludes(e.message, `the upload could not be deleted: ${key} is left`);
    assertStringIncludes(e.message, "the Repository's `check()`");
    assertEquals(await repo.list({}), []);
    assertEquals((await repo.check()).recentOrphans.map((o) => o.key), [key]);
    assertEquals((await repo.check({ graceMs: 0 })).orphans.map((o) => o.key), [key]);
  });
});

Deno.test("repo add: a file edited meanwhile whose upload the store keeps names that upload", async () => {
  await withRepo(async (repo, s3, file) => {
    let edited = false;
    s3.setFaults({
      errorRate: 1,
      match: (t) => t.op === "DeleteObjects" || t.op === "DeleteObject",
    });
    const e = await assertRejects(() =>
      repo.add("/a.bin", file, {
        onProgress: (sent) => {
          if (edited || sent === 0) return;
          edited = true;
          // Same size, a new mtime: seen by the stat check after the upload.
          const f = Deno.openSync(file, { write: true });
          f.writeSync(new Uint8Array(1).fill(8));
          f.close();
          Deno.utimeSync(file, new Date(), new Date(Date.now() + 5000));
        },
      })
    );
    s3.setFaults({});
    const left = s3.listKeys("b", "repo/content/");
    assertEquals(left.length, 1);
    assertStringIncludes(e.message, "nothing was recorded for /a.bin");
    assertStringIncludes(e.message, `${left[0]!.slice("repo/".length)} is left`);
  });
});
