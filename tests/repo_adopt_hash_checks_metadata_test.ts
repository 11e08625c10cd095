/**
 * `Repository.adopt` with `hash` (`vc repo adopt --hash`) of an object whose
 * `vc-md5` metadata lies about its bytes (edited by hand, or a tool that
 * copied the metadata of another object): the metadata's MD5 was taken as is
 * and the bytes were never read, though the user asked for them to be
 * hashed, so the record claimed an MD5 its content does not have. The bytes
 * are now hashed whenever `hash` is given and the store's ETag is not the
 * plain MD5 of the object; a metadata MD5 that differs is refused, naming
 * both MD5s, and nothing is recorded. One that agrees is adopted.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { partedRepo, putInParts } from "./repo_multipart_edit.ts";
import { InvalidInputError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";

Deno.test("repo adopt with hash reads the bytes of an object whose vc-md5 metadata lies", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_adopt_hash_checks_metadata_" });
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  try {
    await using repo = await partedRepo(s3, dir);
    const lie = md5Hex(new TextEncoder().encode("something else"));
    const key = "content/7a/7a0b-lying.bin";
    const { bytes, file } = await putInParts(repo, dir, key, { "vc-md5": lie });

    const seen: number[] = [];
    const e = await assertRejects(
      () =>
        repo.adopt(key, "/big.bin", {
          graceMs: 0,
          hash: true,
          onHashProgress: (p) => seen.push(p.bytes),
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, lie);
    assertStringIncludes(e.message, md5Hex(bytes));
    assertEquals(seen.at(-1), bytes.length, "the bytes were read");
    assertEquals(await repo.list(), []);

    // Metadata that tells the truth: adopted, after reading the bytes too.
    const honest = "content/7a/7a0b-honest.bin";
    await repo.store.put(honest, { path: file }, { metadata: { "vc-md5": md5Hex(bytes) } });
    const record = await repo.adopt(honest, "/big.bin", { graceMs: 0, hash: true });
    assertEquals([record.md5, record.size], [md5Hex(bytes), bytes.length]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
