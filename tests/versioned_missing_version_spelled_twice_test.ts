/**
 * A version the bucket holds under two keys vc does not read
 * (`t.2.0.0+a.csv` and `t.2.0.0+b.csv`: versions differing only in build
 * metadata, or `t.v2.0.0.csv` beside `t.02.0.0.csv`) failed naming only the
 * first key listed and saying "copy that object to t.2.0.0.csv": the two
 * may hold different bytes, and following the advice picked one blindly.
 * The error now names every such key and says to choose.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("a missing version held under two other spellings names both keys", async () => {
  await using ws = await workspace();
  await ws.vc.add("/t.csv", await writeFile(ws.dir, "t.csv", "one\n"));
  await Deno.writeTextFile(join(ws.bucket, "t.2.0.0+a.csv"), "built on a\n");
  await Deno.writeTextFile(join(ws.bucket, "t.2.0.0+b.csv"), "built on b\n");
  await Deno.writeTextFile(join(ws.bucket, "t.v3.0.0.csv"), "three\n");
  await Deno.writeTextFile(join(ws.bucket, "t.03.0.0.csv"), "three, typed\n");
  for (
    const [version, keys] of [["2.0.0", ["t.2.0.0+a.csv", "t.2.0.0+b.csv"]], ["3.0.0", [
      "t.03.0.0.csv",
      "t.v3.0.0.csv",
    ]]] as const
  ) {
    const error = await assertRejects(() => ws.vc.path("/t.csv", version), NotFoundError);
    for (const key of keys) assertStringIncludes(error.message, key);
    assertStringIncludes(error.message, `2 keys`);
    assertStringIncludes(error.message, `copy the one that holds ${version} to t.${version}.csv`);
    assert(!error.message.includes("copy that object"), error.message);
  }
});

Deno.test("one other spelling is still named alone", async () => {
  await using ws = await workspace();
  await ws.vc.add("/t.csv", await writeFile(ws.dir, "t.csv", "one\n"));
  await Deno.writeTextFile(join(ws.bucket, "t.2.0.0+a.csv"), "built on a\n");
  const error = await assertRejects(() => ws.vc.path("/t.csv", "2.0.0"), NotFoundError);
  assertStringIncludes(error.message, "the bucket holds it as t.2.0.0+a.csv");
  assertStringIncludes(error.message, "copy that object to t.2.0.0.csv");
});
