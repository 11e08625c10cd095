/**
 * `repo check` of content replaced behind vc's back by a multipart upload
 * that carries no `vc-md5` (`aws s3 cp` of a file past its 8 MiB threshold):
 * the store states no MD5 for it (its ETag is the parts'), and check passed
 * over it, reporting "0 problems" for bytes that are not the record's, which
 * `repo get` then refused. Such an object is now read and hashed: other bytes
 * of the same size are an MD5 mismatch, the record's own bytes are fine.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { partedRepo } from "./repo_multipart_edit.ts";
import { statedMd5 } from "../src/hash.ts";

Deno.test("repo check hashes content whose multipart ETag states no MD5", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_check_mp_" });
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  try {
    // Anything past 64 KiB goes up in 64 KiB parts.
    await using repo = await partedRepo(s3, dir);
    const size = 4 * 64 * 1024;
    const original = join(dir, "a.bin");
    const other = join(dir, "b.bin");
    await Deno.writeFile(original, new Uint8Array(size).fill(1));
    await Deno.writeFile(other, new Uint8Array(size).fill(2));
    const record = await repo.add("/a.bin", original);
    assertEquals((await repo.check()).ok, true);

    // Other bytes of the same size, uploaded in parts without vc's metadata.
    await repo.store.put(record.contentKey, { path: other });
    const info = await repo.store.head(record.contentKey);
    assert(info !== undefined && info.etag.includes("-"), `a multipart ETag: ${info?.etag}`);
    assertEquals(statedMd5(info), undefined, "the store states no MD5");
    const report = await repo.check();
    assertEquals(report.ok, false);
    assertEquals(report.problems.map((p) => [p.id, p.problem]), [[record.id, "md5 mismatch"]]);
    assertStringIncludes(report.problems[0]!.detail, record.md5);

    // The record's own bytes put back the same way: nothing wrong.
    await repo.store.put(record.contentKey, { path: original });
    assertEquals(statedMd5((await repo.store.head(record.contentKey))!), undefined);
    const again = await repo.check();
    assertEquals(again.problems, []);
    assertEquals(again.ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
