/**
 * A key shaped as a pre-release, build or `v`-prefixed version of a path
 * (`x.2.0.0-rc.1.csv`, put there by another tool) was silently left out of
 * the path's versions, and `update --patch` published 1.0.1, which npm's
 * `semver` orders below 2.0.0-rc.1, without a word. Listing now names such a
 * key in a warning, and `add` / `update` of a version semver orders at or
 * below it publish with a warning naming the key and the version that passes
 * it (a 1.x patch beside a 2.0 release candidate is ordinary semver practice,
 * so it is not refused); one above it publishes without a warning.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const bucketNames = (bucket: string, prefix: string) =>
  [...Deno.readDirSync(bucket)].map((d) => d.name).filter((n) => n.startsWith(prefix)).sort();

Deno.test("versions warns of, and update warns when publishing below, a pre-release key", async () => {
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
  const published: Array<{ key: string; message: string }> = [];
  const r = await ws.vc.update("/x.csv", file, { patch: true }, {
    onWarning: (w) => published.push(w),
  });
  assertEquals(r.to, "1.0.1");
  assertEquals(published.length, 1);
  assertEquals(published[0]?.key, rc);
  assertStringIncludes(published[0]?.message ?? "", `${rc} in the bucket is version 2.0.0-rc.1`);
  assertStringIncludes(published[0]?.message ?? "", "--version 2.0.0");
  assert(bucketNames(ws.bucket, "x.").includes("x.1.0.1.csv"));

  // 2.0.0 is above 2.0.0-rc.1 by semver: published without a warning.
  await writeFile(ws.dir, "x.csv", "three\n");
  const above: string[] = [];
  const major = await ws.vc.update("/x.csv", file, { major: true }, {
    onWarning: (w) => above.push(w.message),
  });
  assertEquals(major.to, "2.0.0");
  assertEquals(above, []);
});

Deno.test("add warns below a pre-release or build key, and not past its own candidate", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "n.csv", "n\n");
  await Deno.mkdir(ws.bucket, { recursive: true });
  // 1.0.0 follows its own release candidate: no warning.
  await Deno.writeTextFile(join(ws.bucket, "q.1.0.0-rc.1.csv"), "rc\n");
  const none: string[] = [];
  assertEquals(
    await ws.vc.add("/q.csv", file, { onWarning: (w) => none.push(w.message) }),
    "1.0.0",
  );
  assertEquals(none, []);
  // 1.0.0 sorts below a 3.0.0 beta, and equals a build of 1.0.0: the higher is named.
  await Deno.writeTextFile(join(ws.bucket, "w.3.0.0-beta.csv"), "beta\n");
  await Deno.writeTextFile(join(ws.bucket, "w.1.0.0+b.csv"), "build\n");
  const warned: string[] = [];
  assertEquals(
    await ws.vc.add("/w.csv", file, { onWarning: (w) => warned.push(w.message) }),
    "1.0.0",
  );
  assertEquals(warned.length, 1);
  assertStringIncludes(warned[0] ?? "", "w.3.0.0-beta.csv");
  assertStringIncludes(warned[0] ?? "", "--version 3.0.0");
  assertEquals(bucketNames(ws.bucket, "w."), ["w.1.0.0+b.csv", "w.1.0.0.csv", "w.3.0.0-beta.csv"]);
});
