/**
 * `repo add` of a file changed during its multipart upload in a way that
 * moves no stat field (a writer through a shared mmap into pages already
 * dirty, another NFS client under cached attributes): the stat check after
 * the upload passed and `vc-md5` only repeated what vc sent, so a record was
 * made under the MD5 of the old content while the store held the new one.
 * Now the file must still hash to the recorded MD5 after the upload (the
 * check `vc add` makes, one helper for both); otherwise the upload is
 * deleted and nothing is recorded.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo add: a multipart upload of content other than the hashed one is refused, nothing kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_mp_content_" });
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  const store = testS3Options(s3, {
    maxAttempts: 1,
    multipartThreshold: 64 * 1024,
    partSize: 64 * 1024,
    concurrency: 1,
  });
  const realStat = Deno.stat;
  try {
    await using repo = await Repository.init("s3://b/repo", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u: string) => openStore(u, store),
    });
    const file = join(dir, "a.bin");
    await Deno.writeFile(file, new Uint8Array(4 * 64 * 1024).fill(1));
    const before = await realStat(file);
    // The file's stat identity never moves, as with a write through a
    // shared mmap into dirty pages.
    Deno.stat = (path: string | URL) =>
      String(path) === file ? Promise.resolve(before) : realStat(path);
    let edited = false;
    const e = await assertRejects(
      () =>
        repo.add("/a.bin", file, {
          onProgress: (sent: number) => {
            if (edited || sent === 0) return;
            edited = true;
            // Same size, a later part: read after this change.
            const f = Deno.openSync(file, { write: true });
            f.seekSync(3 * 64 * 1024, Deno.SeekMode.Start);
            f.writeSync(new Uint8Array(1024).fill(2));
            f.close();
          },
        }),
      IntegrityError,
    );
    assertEquals(edited, true);
    assertStringIncludes(e.message, "could not be verified");
    assertStringIncludes(e.message, "no longer has the MD5");
    assertStringIncludes(e.message, "the upload was deleted");
    assertStringIncludes(e.message, "nothing was recorded for /a.bin");
    assertEquals(await repo.list({}), []);
    assertEquals(s3.listKeys("b", "repo/content/"), []);

    // The same file, hashed as it is now, goes up in parts and is recorded.
    Deno.stat = realStat;
    const r = await repo.add("/a.bin", file);
    assertEquals(r.size, 4 * 64 * 1024);
    assertEquals(s3.listKeys("b", "repo/content/").length, 1);
  } finally {
    Deno.stat = realStat;
    await Deno.remove(dir, { recursive: true });
  }
});
