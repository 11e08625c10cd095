/**
 * A key shaped as a version of a path with a leading zero in a part
 * (`x.02.0.0.csv`, `x.1.05.0.csv`: a version typed by hand, or written by a
 * tool that took versions as typed) was silently left out of
 * the path's versions, and `update --patch` published 1.0.1 beside it without
 * a word, although a tool that reads the parts as numbers (Python's `int`,
 * npm's `semver` in loose mode) takes `02.0.0` for 2.0.0, above it. Listing
 * now names such a key in a warning, as it names a pre-release key, and
 * `add` / `update` of a version at or below it publish with a warning naming
 * the key and the version that passes it. A version argument or manifest pin
 * with a leading zero, a `v` prefix or a pre-release says that this is what
 * is wrong with it.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("versions warns of, and update warns when publishing below, a leading-zero key", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "x.csv", "one\n");
  await ws.vc.add("/x.csv", file);
  const zero = "x.02.0.0.csv";
  for (const name of [zero, "x.1.05.0.csv", "x.00.9.0.csv"]) {
    await Deno.writeTextFile(join(ws.bucket, name), "planted\n");
  }
  const warnings: string[] = [];
  const listed = await ws.vc.versions("/x.csv", { onWarning: (w) => warnings.push(w.message) });
  assertEquals(listed, ["1.0.0"]);
  assertEquals(warnings.length, 3);
  assert(warnings.some((w) => w.includes(`${zero} in the bucket is shaped as version 02.0.0`)));
  assert(warnings.every((w) => w.includes("leading zero")), warnings.join("\n"));

  await writeFile(ws.dir, "x.csv", "two\n");
  const published: Array<{ key: string; message: string }> = [];
  const r = await ws.vc.update("/x.csv", file, { patch: true }, {
    onWarning: (w) => published.push(w),
  });
  assertEquals(r.to, "1.0.1");
  assertEquals(published.length, 1);
  assertEquals(published[0]?.key, zero);
  assertStringIncludes(published[0]?.message ?? "", `${zero} in the bucket is version 02.0.0`);
  assertStringIncludes(published[0]?.message ?? "", "the version option 2.0.1");

  // 2.0.1 passes 02.0.0 read as 2.0.0: published without a warning.
  await writeFile(ws.dir, "x.csv", "three\n");
  const above: string[] = [];
  const past = await ws.vc.update("/x.csv", file, { version: "2.0.1" }, {
    onWarning: (w) => above.push(w.message),
  });
  assertEquals(past.to, "2.0.1");
  assertEquals(above, []);
});

Deno.test("a version spelled as another tool spells it is refused saying what is wrong", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "x.csv", "one\n");
  const error = await assertRejects(
    () => ws.vc.add("/x.csv", file, { version: "1.02.0" }),
    InvalidInputError,
  );
  assertStringIncludes(error.message, '"1.02.0" is not a version');
  assertStringIncludes(error.message, "no part may have a leading zero: 1.2.0, not 1.02.0");
  const v = await assertRejects(() => ws.vc.path("/x.csv", "v1.2.0"), InvalidInputError);
  assertStringIncludes(v.message, "without a v prefix: 1.2.0, not v1.2.0");
  // A manifest pin baiji-pod took as it was written.
  await Deno.writeTextFile(ws.manifest, '{"/x.csv": "1.2.0+ci.7"}');
  const rc = await assertRejects(() => ws.vc.path("/x.csv"), InvalidInputError);
  assertStringIncludes(rc.message, '"1.2.0+ci.7" is not a version');
  assertStringIncludes(rc.message, "no build metadata");
});
