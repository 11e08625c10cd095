/**
 * A key shaped as a version of a path but with a part past 2^53 - 1
 * (`x.9007199254740993.0.0.csv`) was silently left out of the path's
 * versions, so `update --major` published 2.0.0 below it. Listing the
 * path's versions now names the key in a warning, and `update` refuses:
 * nothing is published.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("versions and update refuse a bucket key whose version is too large to order", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "x.csv", "one\n");
  await ws.vc.add("/x.csv", file);
  const huge = "x.9007199254740993.0.0.csv";
  await Deno.writeTextFile(join(ws.bucket, huge), "planted\n");
  // Listed, it is named in a warning and left out (as `lsRemote` does).
  const warnings: string[] = [];
  const listed = await ws.vc.versions("/x.csv", { onWarning: (w) => warnings.push(w.message) });
  assertEquals(listed, ["1.0.0"]);
  assertEquals(warnings.length, 1);
  assertStringIncludes(warnings[0]!, `${huge} in the bucket is a version of /x.csv`);
  await writeFile(ws.dir, "x.csv", "two\n");
  await assertRejects(() => ws.vc.update("/x.csv", file, { major: true }), InvalidInputError, huge);
  const names = [...Deno.readDirSync(ws.bucket)].map((d) => d.name).sort();
  assertEquals(names.filter((n) => n.startsWith("x.")), ["x.1.0.0.csv", huge]);
  // Another path's versions are not affected by it.
  const other = await writeFile(ws.dir, "y.csv", "y\n");
  await ws.vc.add("/y.csv", other);
  assertEquals(await ws.vc.versions("/y.csv"), ["1.0.0"]);
});
