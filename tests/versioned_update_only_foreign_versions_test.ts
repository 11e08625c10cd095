/**
 * `vc update` of a path whose versions the bucket holds only under keys vc
 * does not read (`pre.v1.4.0.csv`, `pre.2.0.0+ci.1.csv`: written by another
 * tool, as a team migrating to vc has them) said "has no versions …; publish
 * its first version with `vc add`", and `vc add` then publishes 1.0.0, below
 * the versions the other tool reads. The error now names those keys and the
 * key vc would read a release among them from.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("update of a path held only under other spellings names them", async () => {
  await using ws = await workspace();
  await Deno.mkdir(ws.bucket, { recursive: true });
  await Deno.writeTextFile(ws.manifest, "{}\n");
  await Deno.writeTextFile(join(ws.bucket, "pre.v1.4.0.csv"), "one four\n");
  await Deno.writeTextFile(join(ws.bucket, "pre.2.0.0+ci.1.csv"), "two rc\n");
  const file = await writeFile(ws.dir, "new.csv", "new\n");
  const error = await assertRejects(
    () => ws.vc.update("/pre.csv", file, { patch: true }, { onWarning: () => {} }),
    NotFoundError,
  );
  assertStringIncludes(error.message, "/pre.csv has no versions");
  assertStringIncludes(error.message, "pre.2.0.0+ci.1.csv");
  assertStringIncludes(error.message, "pre.v1.4.0.csv");
  assertStringIncludes(error.message, "copy pre.2.0.0+ci.1.csv to pre.2.0.0.csv");
  assertStringIncludes(error.message, '`add(PATH, FILE, { version: "2.0.1" })`');
  // Nothing published, no manifest started.
  const names = [];
  for await (const e of Deno.readDir(ws.bucket)) names.push(e.name);
  assert(names.sort().join() === "pre.2.0.0+ci.1.csv,pre.v1.4.0.csv", names.join());
});

Deno.test("update of a path with no keys at all still sends to add", async () => {
  await using ws = await workspace();
  await Deno.mkdir(ws.bucket, { recursive: true });
  await Deno.writeTextFile(ws.manifest, "{}\n");
  const file = await writeFile(ws.dir, "new.csv", "new\n");
  const error = await assertRejects(
    () => ws.vc.update("/pre.csv", file, { patch: true }),
    NotFoundError,
  );
  assertStringIncludes(error.message, "publish its first version with `add()`");
  assert(!error.message.includes("does not read"), error.message);
});
