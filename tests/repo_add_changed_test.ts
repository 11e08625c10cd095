/**
 * `repo add` of a file edited while its multipart upload runs: the parts are
 * read at different times, so the stored bytes were the edited ones while the
 * record (and `vc-md5`) kept the MD5 hashed before the upload: a record whose
 * content fails its own check. The edit is now refused, the upload deleted
 * and nothing recorded (as `vc add` does).
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { Repository } from "../src/repo/mod.ts";
import { SourceChangedError } from "../src/versioned/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { editLastPartOnce, multipartRepo } from "./repo_multipart_edit.ts";

Deno.test("repo add: a file edited during its multipart upload is refused, nothing kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_" });
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  try {
    const { repo: opened, file } = await multipartRepo(s3, dir);
    await using repo = opened;
    const edit = editLastPartOnce(file);
    const e = await assertRejects(
      () => repo.add("/a.bin", file, { onProgress: edit.onProgress }),
      SourceChangedError,
    );
    assertEquals(edit.edited(), true);
    assertStringIncludes(e.message, "changed during the upload");
    assertEquals(await repo.list({}), []);
    assertEquals(s3.listKeys("b", "repo/content/"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "repo add of a /proc file: refused as a file whose size is not what it reads, nothing kept",
  // /proc/version (size 0, a line of text) is Linux's.
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_proc_" });
    await using s3 = await startFakeS3({ buckets: ["b"] });
    try {
      await using repo = await Repository.init("s3://b/repo", {
        catalog: `sqlite:${join(dir, "c.sqlite")}`,
        openStore: (u: string) => openStore(u, testS3Options(s3, { maxAttempts: 1 })),
      });
      const e = await assertRejects(() => repo.add("/v.txt", "/proc/version"), InvalidInputError);
      // Not "changed, run again" (no re-run helps), nor the store's bare size mismatch.
      assertEquals(e instanceof SourceChangedError, false, e.message);
      assertStringIncludes(e.message, "/proc/version reads as");
      assertStringIncludes(e.message, "copy it to a regular file");
      assertEquals(await repo.list({}), []);
      assertEquals(s3.listKeys("b", "repo/content/"), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
