/**
 * `Repository.adopt` of an object uploaded in parts by another tool (no
 * `vc-md5`; on S3 its ETag is the parts' MD5, no content MD5): refused
 * without `hash`, as its MD5 is known only by reading it; with `hash` it is
 * downloaded and hashed (progress to its size), and the record carries the
 * content's MD5, which `publish` and `check` then verify by reading it.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { partedRepo, putInParts } from "./repo_multipart_edit.ts";
import { InvalidInputError } from "../src/errors.ts";
import { md5Hex, statedMd5 } from "../src/hash.ts";

Deno.test("repo adopt hashes a multipart object the store states no MD5 of only with hash", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_adopt_multipart_" });
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  try {
    // Anything past 64 KiB goes up in 64 KiB parts.
    await using repo = await partedRepo(s3, dir);
    const key = "content/7a/7a0b-multipart.bin";
    const { bytes, info } = await putInParts(repo, dir, key);
    assertEquals(statedMd5(info), undefined);

    await assertRejects(
      () => repo.adopt(key, "/big.bin", { graceMs: 0 }),
      InvalidInputError,
      "the store states no MD5 of it",
    );
    assertEquals(await repo.list(), []);
    const seen: number[] = [];
    const record = await repo.adopt(key, "/big.bin", {
      graceMs: 0,
      hash: true,
      onHashProgress: (p) => seen.push(p.bytes),
    });
    assertEquals([record.md5, record.size], [md5Hex(bytes), bytes.length]);
    assertEquals([seen[0], seen.at(-1)], [0, bytes.length]);
    await repo.publish(record.id);
    assertEquals((await repo.check()).ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
