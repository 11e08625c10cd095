/**
 * `vc update --patch` beside another tool's `x.2.0.0+ci.1.csv` warned that
 * "1.0.1 is vc's latest, not the latest for a tool that reads such keys"
 * before it looked at the file, and then refused it (identical to the latest,
 * or below the manifest's pin): two lines for one refusal, the first saying
 * a version was made that never was. The warning now comes once nothing
 * refuses the upload, just before it starts; a publish still warns.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("a refused update says nothing of a build key above the version it did not publish", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("x.csv", "one\n");
  assertEquals((await ws.vc("add", "/x.csv", "x.csv")).code, 0);
  await Deno.writeTextFile(join(ws.bucketDir, "x.2.0.0+ci.1.csv"), "rc\n");
  // Identical to the latest: refused, one line.
  const identical = await ws.vc("update", "/x.csv", "x.csv", "--patch");
  assertFailure(identical, 1, "is identical to /x.csv 1.0.0");
  // Below the manifest's pin of a version the bucket lost: refused, one line.
  const manifest = await ws.read("versioned_assets.json");
  await ws.write("versioned_assets.json", manifest.replace('"1.0.0"', '"9.0.0"'));
  await ws.write("y.csv", "two\n");
  const below = await ws.vc("update", "/x.csv", "y.csv", "--patch");
  assertFailure(below, 1, "1.0.1 may have been published before");
  // Published: warned, as before.
  await ws.write("versioned_assets.json", manifest);
  const published = await ws.vc("update", "/x.csv", "y.csv", "--patch");
  assertEquals(published.code, 0, published.stderr);
  assertStringIncludes(published.stderr, "x.2.0.0+ci.1.csv in the bucket is version 2.0.0+ci.1");
  assertStringIncludes(published.stderr, "--version 2.0.1");
});

Deno.test("a refused add says nothing of a build key above the version it did not publish", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("x.csv", "one\n");
  await ws.write("y.csv", "two\n");
  await Deno.writeTextFile(join(ws.bucketDir, "x.2.0.0+ci.1.csv"), "rc\n");
  assertEquals(
    (await ws.run(["add", "/x.csv", "x.csv", "--bucket", ws.bucket, "--manifest", "other.json"]))
      .code,
    0,
  );
  // The bucket has versions already: refused, one line.
  assertFailure(await ws.vc("add", "/x.csv", "y.csv"), 1, "already has versions");
});
