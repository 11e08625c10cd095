import { startFakeS3 } from "../src/testing/mod.ts";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace, withProcessEnv } from "./cli_harness.ts";

// A mistyped --bucket made path, sync and verify blame the version ("does
// not exist") instead of the bucket: a HEAD's 404 cannot tell them apart.
Deno.test("path / sync / verify: a file:// --bucket that does not exist is named as such", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  assertEquals((await ws.vc("add", "/f.txt", "f.txt")).code, 0);
  const typo = ws.path("typo");
  for (const args of [["path", "/f.txt"], ["sync", "out"], ["verify"]]) {
    const r = await ws.run([...args, "--bucket", typo]);
    assertEquals(r.code, 1, args.join(" "));
    assertStringIncludes(r.stdout + r.stderr, `(no directory ${typo}); check --bucket`);
  }
});

Deno.test("path / verify: an s3:// bucket that does not exist is named as such", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  await withProcessEnv(s3.env, async () => {
    const add = await ws.run(["add", "/f.txt", "f.txt", "--bucket", "s3://assets"], s3.env);
    assertEquals(add.code, 0, add.stderr);
    for (const args of [["path", "/f.txt"], ["verify"]]) {
      const r = await ws.run([...args, "--bucket", "s3://nobucket"], s3.env);
      assertEquals(r.code, 1, args.join(" "));
      assertStringIncludes(r.stdout + r.stderr, "bucket s3://nobucket does not exist at");
    }
  });
});

// `vc update` against the wrong bucket said "has no versions; publish its
// first version with `vc add`", and `vc add` refused the path as already in
// the manifest ("did you mean `vc update`?"): each pointed at the other.
Deno.test("update: a bucket without the manifest's pinned version, or none at all, is named as such", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  await ws.write("g.txt", "two");
  assertEquals((await ws.vc("add", "/f.txt", "f.txt")).code, 0);
  const before = await ws.read("versioned_assets.json");
  const typo = ws.path("typo");
  const missing = await ws.run(["update", "/f.txt", "g.txt", "--patch", "--bucket", typo]);
  assertFailure(missing, 1, `(no directory ${typo}); check --bucket`);
  assertEquals(await Deno.lstat(typo).catch(() => undefined), undefined, "update makes no bucket");
  const other = ws.path("other");
  await Deno.mkdir(other);
  const r = await ws.run(["update", "/f.txt", "g.txt", "--patch", "--bucket", other]);
  assertFailure(
    r,
    1,
    `/f.txt has no versions in ${pathToFileURL(other).href}, yet ${
      ws.path("versioned_assets.json")
    } pins 1.0.0: is this the bucket the manifest was published to?`,
  );
  assert(!r.stderr.includes("vc add"), r.stderr);
  assertEquals(await ws.read("versioned_assets.json"), before);
});
