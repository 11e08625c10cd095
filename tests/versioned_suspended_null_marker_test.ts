/**
 * A delete in a bucket whose S3 versioning is suspended erases the key's
 * "null" version (an object written before versioning was turned on, or
 * while it was suspended) and leaves a "null" delete marker, with no bytes
 * to compare: that version may have been cached, so `add` and `update` do
 * not take the key for one that never held an object. On the fake S3, which
 * deletes as S3 does there (moto_server keeps no marker for such a delete).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { keyHeldBefore } from "../src/versioned/version_history.ts";
import { InvalidInputError } from "../src/errors.ts";
import { join } from "../src/path.ts";
import { pinnedOnS3, tempDir, testS3Store } from "./versioned_helpers.ts";

async function suspendedBucket() {
  const s3 = await startFakeS3({ versionedBuckets: ["vb"] });
  const res = await fetch(`${s3.url}/vb?versioning`, {
    method: "PUT",
    body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
  });
  await res.body?.cancel();
  assertEquals(res.status, 200);
  return s3;
}

Deno.test("a null version deleted while versioning is suspended was held: its null delete marker says so", async () => {
  await using s3 = await suspendedBucket();
  await using store = testS3Store(s3, "vb");
  await store.put("t.1.0.0.csv", new TextEncoder().encode("one\n"));
  await store.delete(["t.1.0.0.csv"]);
  const entries = await store.keyVersions("t.1.0.0.csv", { limit: 10 });
  assertEquals(entries.map((e) => [e.versionId, e.deleteMarker]), [["null", true]]);
  assertEquals((await keyHeldBefore(store, "t.1.0.0.csv")).held, true);
});

Deno.test("update skips a version deleted while versioning was suspended, saying why", async () => {
  await using s3 = await suspendedBucket();
  await using first = await tempDir("vc_suspended_null_marker_");
  const file = join(first.path, "t.csv");
  {
    await using pinned = await pinnedOnS3(s3, "vb", first.path, {});
    await Deno.writeTextFile(file, "one\n");
    assertEquals(await pinned.vc.add("/t.csv", file), "1.0.0");
    await Deno.writeTextFile(file, "two\n");
    assertEquals((await pinned.vc.update("/t.csv", file, { patch: true })).to, "1.0.1");
  }
  {
    // `aws s3 rm s3://vb/t.1.0.1.csv` while versioning is suspended.
    await using store = testS3Store(s3, "vb");
    await store.delete(["t.1.0.1.csv"]);
  }
  // Another checkout, without the first one's lock file.
  await using other = await tempDir("vc_suspended_null_marker_");
  await using pinned = await pinnedOnS3(s3, "vb", other.path, { "/t.csv": "1.0.0" });
  await Deno.writeTextFile(file, "three\n");
  const refused = await assertRejects(
    () => pinned.vc.update("/t.csv", file, { version: "1.0.1" }),
    InvalidInputError,
  );
  assertStringIncludes(refused.message, "cannot publish /t.csv 1.0.1");
  assert(refused.message.includes("--version-id null"), refused.message);
  const warnings: string[] = [];
  const r = await pinned.vc.update("/t.csv", file, { patch: true }, {
    onWarning: (w) => warnings.push(w.message),
  });
  assertEquals(r.to, "1.0.2");
  assertEquals(warnings.length, 1);
  assertStringIncludes(warnings[0]!, "versioning was suspended");
  assertStringIncludes(warnings[0]!, "so this publishes 1.0.2");
});
