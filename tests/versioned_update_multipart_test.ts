/**
 * `vc update` without a lock file, when the latest version is an object
 * another tool uploaded in parts (a multipart ETag, no `vc-md5`): a file
 * with the same bytes is recognised by its own multipart ETag and refused
 * as identical, even with part sizes no standard client uses; other bytes
 * are published.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { versionedKey } from "../src/versioned/naming.ts";
import { fillLock } from "../src/versioned/lock_ops.ts";
import { pinnedOnS3, randomBytes, tempDir, uploadInParts } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

for (const partMiB of [8, 6]) {
  Deno.test(`update without a lock file: a file equal to a version uploaded in ${partMiB} MiB parts is refused as identical`, async () => {
    await using s3 = await startFakeS3({ buckets: ["mp"] });
    await using dir = await tempDir();
    const content = randomBytes(13 * MiB + 5);
    await uploadInParts(s3, "mp", versionedKey("/big.bin", "1.0.0"), content, partMiB * MiB);
    await using pinned = await pinnedOnS3(s3, "mp", dir.path, { "/big.bin": "1.0.0" });
    const { manifest, vc } = pinned;
    const same = join(dir.path, "same.bin");
    await Deno.writeFile(same, content);
    const e = await assertRejects(
      () => vc.update("/big.bin", same, { patch: true }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "is identical to /big.bin 1.0.0");
    assertEquals(JSON.parse(await Deno.readTextFile(manifest))["/big.bin"], "1.0.0");
    // One byte different, same size: published.
    content[0] = content[0]! ^ 0xff;
    const other = join(dir.path, "other.bin");
    await Deno.writeFile(other, content);
    await vc.update("/big.bin", other, { patch: true });
    assertEquals(JSON.parse(await Deno.readTextFile(manifest))["/big.bin"], "1.0.1");
  });
}

Deno.test("update: a file equal to what another tool put in place of a locked version is not refused as identical", async () => {
  await using s3 = await startFakeS3({ buckets: ["mp"] });
  await using dir = await tempDir();
  const published = randomBytes(11 * MiB + 1);
  const key = versionedKey("/big.bin", "1.0.0");
  await uploadInParts(s3, "mp", key, published, 8 * MiB);
  await using pinned = await pinnedOnS3(s3, "mp", dir.path, { "/big.bin": "1.0.0" });
  const { manifest, vc } = pinned;
  await fillLock(vc); // pins the published bytes
  // Same size, other bytes, put at the version's key behind vc's back (multipart, no MD5).
  const replaced = published.slice();
  replaced[0] = replaced[0]! ^ 0xff;
  await uploadInParts(s3, "mp", key, replaced, 8 * MiB);
  // The published bytes are refused as identical to 1.0.0, by its lock entry.
  const original = join(dir.path, "published.bin");
  await Deno.writeFile(original, published);
  const e = await assertRejects(
    () => vc.update("/big.bin", original, { patch: true }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "is identical to /big.bin 1.0.0");
  // The bucket's bytes are not what the lock file pins for 1.0.0: published as 1.0.1.
  const file = join(dir.path, "replaced.bin");
  await Deno.writeFile(file, replaced);
  const result = await vc.update("/big.bin", file, { patch: true });
  assertEquals([result.from, result.to, result.adopted], ["1.0.0", "1.0.1", undefined]);
  assertEquals(JSON.parse(await Deno.readTextFile(manifest))["/big.bin"], "1.0.1");
});
