/**
 * `vc verify` when another tool replaced a version uploaded in parts (a
 * multipart ETag, no `vc-md5`) with other bytes of the same size, after it
 * was cached: the cached copy no longer is what the store holds, locked or
 * not, and verify says so instead of calling the entry ok (there is no MD5
 * to compare with, so the copy is compared with the object's multipart ETag).
 * On the fake S3, and also on a third-party S3 implementation when
 * `VC_TEST_S3_ENDPOINT` is set (`deno task test:compat` points it at
 * moto_server).
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { fillLock } from "../src/versioned/lock_ops.ts";
import { versionedKey } from "../src/versioned/naming.ts";
import { pinnedOnS3, randomBytes, tempDir, uploadInParts } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

/** The fake S3 with bucket `mp`, or a fresh bucket at `endpoint`. */
async function target(endpoint: string | undefined) {
  if (endpoint === undefined) {
    const s3 = await startFakeS3({ buckets: ["mp"] });
    return { s3, bucket: "mp", [Symbol.asyncDispose]: () => s3[Symbol.asyncDispose]() };
  }
  const bucket = `vc-verify-${crypto.randomUUID().slice(0, 8)}`;
  const res = await fetch(`${endpoint}/${bucket}`, { method: "PUT" });
  await res.body?.cancel();
  if (res.status !== 200) throw new Error(`create bucket ${bucket}: status ${res.status}`);
  return { s3: { url: endpoint }, bucket, [Symbol.asyncDispose]: () => Promise.resolve() };
}

async function replacedInParts(endpoint: string | undefined, locked: boolean): Promise<void> {
  await using t = await target(endpoint);
  const { s3, bucket } = t;
  await using dir = await tempDir();
  const key = versionedKey("/big.bin", "1.0.0");
  // 6 MiB parts: no standard client part size, so the store's part sizes are asked.
  const first = randomBytes(11 * MiB + 3);
  await uploadInParts(s3, bucket, key, first, 6 * MiB);
  await using pinned = await pinnedOnS3(s3, bucket, dir.path, { "/big.bin": "1.0.0" });
  const { vc } = pinned;
  if (locked) await fillLock(vc);
  await vc.path("/big.bin");
  const [before] = await vc.verify();
  assertEquals(before?.ok, true, before?.problem);
  assertEquals(before?.locked, locked);

  await uploadInParts(s3, bucket, key, randomBytes(first.length), 6 * MiB);
  const [after] = await vc.verify();
  assert(after !== undefined && !after.ok, "a replaced object must not verify");
  // Locked, the copy is still the locked content: the store is named as what changed.
  assertStringIncludes(
    after.problem ?? "",
    locked ? "no longer holds the locked content" : "does not have the multipart ETag",
  );
  assertStringIncludes(after.problem ?? "", `s3://${bucket}/big.1.0.0.bin`);

  // The same bytes uploaded again with other part sizes: another ETag, same content, ok.
  await uploadInParts(s3, bucket, key, first, 7 * MiB);
  const [again] = await vc.verify();
  assertEquals(again?.ok, true, again?.problem);
}

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
for (const locked of [false, true]) {
  const what = `a cached version another tool replaced in parts with same-size bytes is not ok (${
    locked ? "locked" : "unlocked"
  })`;
  Deno.test(`verify on fake S3: ${what}`, () => replacedInParts(undefined, locked));
  Deno.test({
    name: `verify on ${endpoint ?? "VC_TEST_S3_ENDPOINT unset"}: ${what}`,
    ignore: endpoint === undefined,
    fn: () => replacedInParts(endpoint, locked),
  });
}
