/**
 * A manifest pin (or a VERSION argument) of a version the bucket holds only
 * under a key vc does not read, spelled by another tool or by hand
 * (`t.v2.0.0.csv`, `t.02.1.0.csv`, `t.3.0.0+ci.7.csv`), failed with
 * "version 2.0.0 of /t.csv does not exist …; available: 1.0.0" while
 * `aws s3 ls` showed the object: a migrating user could not tell why. The
 * error now names that key and the key vc reads for the version. A
 * pre-release (`4.0.0-rc.1`) is another version than `4.0.0` and is not named.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("a missing version names the key that holds it spelled otherwise", async () => {
  await using ws = await workspace();
  await ws.vc.add("/t.csv", await writeFile(ws.dir, "t.csv", "one\n"));
  for (const name of ["t.v2.0.0.csv", "t.02.1.0.csv", "t.3.0.0+ci.7.csv", "t.4.0.0-rc.1.csv"]) {
    await Deno.writeTextFile(join(ws.bucket, name), "planted\n");
  }
  for (
    const [version, key] of [["2.0.0", "t.v2.0.0.csv"], ["2.1.0", "t.02.1.0.csv"], [
      "3.0.0",
      "t.3.0.0+ci.7.csv",
    ]]
  ) {
    const error = await assertRejects(() => ws.vc.path("/t.csv", version), NotFoundError);
    assertStringIncludes(error.message, `version ${version} of /t.csv does not exist`);
    assertStringIncludes(error.message, "available: 1.0.0");
    assertStringIncludes(error.message, `the bucket holds it as ${key}`);
    assertStringIncludes(error.message, `t.${version}.csv`);
  }
  const rc = await assertRejects(() => ws.vc.path("/t.csv", "4.0.0"), NotFoundError);
  assert(!rc.message.includes("holds it as"), rc.message);
});

// A pre-release is a version vc reads (`vc path /t.csv 5.0.0-rc.2`), so its
// other spellings are named as a release's are; it was "does not exist" alone.
Deno.test("a missing pre-release names the key that holds it spelled otherwise", async () => {
  await using ws = await workspace();
  await ws.vc.add("/t.csv", await writeFile(ws.dir, "t.csv", "one\n"));
  for (
    const name of [
      "t.v5.0.0-rc.2.csv",
      "t.6.0.0-rc.1+ci.7.csv",
      "t.07.0.0-beta.1.csv",
      "t.8.0.0-rc.01.csv",
      "t.9.0.0-rc.1.csv",
    ]
  ) {
    await Deno.writeTextFile(join(ws.bucket, name), "planted\n");
  }
  for (
    const [version, key] of [
      ["5.0.0-rc.2", "t.v5.0.0-rc.2.csv"],
      ["6.0.0-rc.1", "t.6.0.0-rc.1+ci.7.csv"],
      ["7.0.0-beta.1", "t.07.0.0-beta.1.csv"],
      ["8.0.0-rc.1", "t.8.0.0-rc.01.csv"],
    ]
  ) {
    const error = await assertRejects(() => ws.vc.path("/t.csv", version), NotFoundError);
    assertStringIncludes(error.message, `version ${version} of /t.csv does not exist`);
    assertStringIncludes(error.message, `the bucket holds it as ${key}`);
    assertStringIncludes(error.message, `copy that object to t.${version}.csv`);
  }
  // Another pre-release of 9.0.0, or its release, is not this version.
  for (const version of ["9.0.0-rc.2", "9.0.0"]) {
    const other = await assertRejects(() => ws.vc.path("/t.csv", version), NotFoundError);
    assert(!other.message.includes("holds it as"), other.message);
  }
});
