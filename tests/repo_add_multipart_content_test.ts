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
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { editLastPartOnce, multipartRepo, PART } from "./repo_multipart_edit.ts";

Deno.test("repo add: a multipart upload of content other than the hashed one is refused, nothing kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_mp_content_" });
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  const realStat = Deno.stat;
  try {
    const { repo: opened, file } = await multipartRepo(s3, dir);
    await using repo = opened;
    const before = await realStat(file);
    // The file's stat identity never moves, as with a write through a
    // shared mmap into dirty pages.
    Deno.stat = (path: string | URL) =>
      String(path) === file ? Promise.resolve(before) : realStat(path);
    const edit = editLastPartOnce(file);
    const e = await assertRejects(
      () => repo.add("/a.bin", file, { onProgress: edit.onProgress }),
      IntegrityError,
    );
    assertEquals(edit.edited(), true);
    assertStringIncludes(e.message, "could not be verified");
    assertStringIncludes(e.message, "no longer has the MD5");
    assertStringIncludes(e.message, "the upload was deleted");
    assertStringIncludes(e.message, "nothing was recorded for /a.bin");
    assertEquals(await repo.list({}), []);
    assertEquals(s3.listKeys("b", "repo/content/"), []);

    // The same file, hashed as it is now, goes up in parts and is recorded.
    Deno.stat = realStat;
    const r = await repo.add("/a.bin", file);
    assertEquals(r.size, 4 * PART);
    assertEquals(s3.listKeys("b", "repo/content/").length, 1);
  } finally {
    Deno.stat = realStat;
    await Deno.remove(dir, { recursive: true });
  }
});
