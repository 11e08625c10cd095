/**
 * A key shaped as a pre-release, build or `v`-prefixed version of a path
 * (`x.2.0.0-rc.1.csv`, put there by another tool) was silently left out of
 * the path's versions, so `update --patch` published 1.0.1, which npm's
 * `semver` orders below 2.0.0-rc.1: no longer the latest for any tool that
 * reads such keys. Listing now names the key in a warning, and `add` /
 * `update` refuse a version semver orders at or below it (nothing is
 * published), while one above it (`--major` → 2.0.0) goes ahead.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const bucketNames = (bucket: string, prefix: string) =>
  [...Deno.readDirSync(bucket)].map((d) => d.name).filter((n) => n.startsWith(prefix)).sort();

Deno.test("versions warns of, and update does not publish below, a pre-release key", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "x.csv", "one\n");
  await ws.vc.add("/x.csv", file);
  const rc = "x.2.0.0-rc.1.csv";
  for (const name of [rc, "x.1.0.0+build.5.csv", "x.v1.5.0.csv"]) {
    await Deno.writeTextFile(join(ws.bucket, name), "planted\n");
  }
  const warnings: string[] = [];
  const listed = await ws.vc.versions("/x.csv", { onWarning: (w) => warnings.push(w.message) });
  assertEquals(listed, ["1.0.0"]);
  assertEquals(warnings.length, 3);
  assert(warnings.some((w) => w.includes(`${rc} in the bucket is shaped as version 2.0.0-rc.1`)));
  await writeFile(ws.dir, "x.csv", "two\n");
  for (const bump of [{ patch: true }, { minor: true }, { version: "1.9.9" }]) {
    const error = await assertRejects(() => ws.vc.update("/x.csv", file, bump), InvalidInputError);
    assertStringIncludes(error.message, `${rc} in the bucket is version 2.0.0-rc.1 of /x.csv`);
    assertStringIncludes(error.message, "--version 2.0.0");
  }
  assertEquals(bucketNames(ws.bucket, "x."), [
    "x.1.0.0+build.5.csv",
    "x.1.0.0.csv",
    rc,
    "x.v1.5.0.csv",
  ]);
  // 2.0.0 is above 2.0.0-rc.1 by semver: published.
  const r = await ws.vc.update("/x.csv", file, { major: true });
  assertEquals(r.to, "2.0.0");
});

Deno.test("add publishes above a pre-release key and refuses below one", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "n.csv", "n\n");
  await Deno.mkdir(ws.bucket, { recursive: true });
  // 1.0.0 follows its own release candidate.
  await Deno.writeTextFile(join(ws.bucket, "q.1.0.0-rc.1.csv"), "rc\n");
  assertEquals(await ws.vc.add("/q.csv", file), "1.0.0");
  // 1.0.0 would sort below a 3.0.0 release candidate; a build of 1.0.0 equals it.
  await Deno.writeTextFile(join(ws.bucket, "w.3.0.0-beta.csv"), "beta\n");
  await Deno.writeTextFile(join(ws.bucket, "w.1.0.0+b.csv"), "build\n");
  await assertRejects(() => ws.vc.add("/w.csv", file), InvalidInputError, "--version 3.0.0");
  await Deno.remove(join(ws.bucket, "w.3.0.0-beta.csv"));
  await assertRejects(() => ws.vc.add("/w.csv", file), InvalidInputError, "--version 1.0.1");
  assertEquals(bucketNames(ws.bucket, "w."), ["w.1.0.0+b.csv"]);
  assertEquals(await ws.vc.add("/w.csv", file, { version: "1.0.1" }), "1.0.1");
});
