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
