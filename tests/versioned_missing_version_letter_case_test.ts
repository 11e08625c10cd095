/**
 * A version of a path the bucket holds only in another letter case (filled
 * with `aws s3 cp Table.csv s3://b/u/Table.1.0.0.csv`, pinned in the
 * manifest as `/u/table.csv`) failed `vc path`, `vc sync` and the rest with
 * "… has no versions of it", which left the user to spot the capital. The
 * error now names the path that has versions, as it does for the other
 * Unicode spelling of a path.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir, versionedOverKeys } from "./versioned_helpers.ts";

Deno.test("a missing version names the path in another letter case that has versions", async () => {
  await using dir = await tempDir("vc_missing_version_case_");
  await using vc = await versionedOverKeys(dir.path, [
    "u/Table.1.0.0.csv",
    "u/Table.1.1.0.csv",
    "u/tables.2.0.0.csv",
    "Top.3.0.0.csv",
  ]);
  const error = await assertRejects(() => vc.path("/u/table.csv", "1.0.0"), NotFoundError);
  assertStringIncludes(
    error.message,
    "has no versions of it, but /u/Table.csv, which differs from it only in letter case " +
      "(bucket keys tell case apart), has 1.0.0, 1.1.0: use that spelling",
  );
  // At the top of the bucket too.
  const top = await assertRejects(() => vc.path("/TOP.csv", "3.0.0"), NotFoundError);
  assertStringIncludes(top.message, "but /Top.csv, which differs from it only in letter case");
  // Nothing of the kind: as before.
  const none = await assertRejects(() => vc.path("/u/other.csv", "1.0.0"), NotFoundError);
  assert(none.message.endsWith("has no versions of it"), none.message);
});

Deno.test("vc sync reports the path in another letter case for the entry it could not copy", async () => {
  await using dir = await tempDir("vc_missing_version_case_sync_");
  await using vc = await versionedOverKeys(dir.path, ["data/Table.1.0.0.csv", "data/a.1.0.0.csv"]);
  await Deno.writeTextFile(
    join(dir.path, "m.json"),
    '{"/data/a.csv": "1.0.0", "/data/table.csv": "1.0.0"}\n',
  );
  const r = await vc.syncSettled(join(dir.path, "out"));
  assertEquals(r.copied.map((c) => c.path), ["/data/a.csv"]);
  assertEquals(r.failed.map((f) => f.path), ["/data/table.csv"]);
  assertStringIncludes(String(r.failed[0]!.error), "but /data/Table.csv, which differs");
});
