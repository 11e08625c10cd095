/**
 * `vc get` / `vc sync` with a DEST inside a directory bucket
 * (`VC_BUCKET=./assets`, then `vc sync ./assets`, the help's own example):
 * plain copies among the published versions, and a manifest path such as
 * `/x.1.0.0.csv` written over the version `x.1.0.0.csv` of `/x.csv`.
 * Refused as a usage error; the published versions stay as they were.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc get and vc sync refuse a DEST inside a directory bucket (a published version would be replaced)", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "published\n");
  await ws.write("b.csv", "other\n");
  assertEquals((await ws.vc("add", "/x.csv", "a.csv")).code, 0);
  // Its copy in DEST would be named x.1.0.0.csv, the key of /x.csv 1.0.0.
  assertEquals((await ws.vc("add", "/x.1.0.0.csv", "b.csv")).code, 0);
  const version = join(ws.bucketDir, "x.1.0.0.csv");
  const sync = await ws.vc("sync", ws.bucketDir);
  assertEquals(sync.code, 2, sync.stderr);
  assertStringIncludes(sync.stderr, "inside the bucket");
  assertEquals((await ws.vc("sync", join(ws.bucketDir, "sub"))).code, 2);
  const get = await ws.vc("get", "/x.1.0.0.csv", version);
  assertEquals(get.code, 2, get.stderr);
  assertStringIncludes(get.stderr, "inside the bucket");
  assertEquals(await Deno.readTextFile(version), "published\n");
  const cat = await ws.vc("cat", "/x.csv");
  assertEquals([cat.code, cat.stdout], [0, "published\n"], cat.stderr);
  // Anywhere else is fine.
  assertEquals((await ws.vc("sync", ws.path("out"))).code, 0);
  assertEquals(await ws.read("out/x.1.0.0.csv"), "other\n");
});

Deno.test("vc sync into a DEST that holds the bucket: an entry whose copy would land in it fails, the others are copied", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "published\n");
  await ws.write("b.csv", "other\n");
  assertEquals((await ws.vc("add", "/x.csv", "a.csv")).code, 0);
  // Synced to the workspace, this path's copy is bucket/x.1.0.0.csv: version 1.0.0 of /x.csv.
  assertEquals((await ws.vc("add", "/bucket/x.1.0.0.csv", "b.csv")).code, 0);
  const sync = await ws.vc("sync", ws.dir);
  assertEquals(sync.code, 1, sync.stderr);
  assertStringIncludes(sync.stderr, "inside the bucket");
  assertEquals(await Deno.readTextFile(join(ws.bucketDir, "x.1.0.0.csv")), "published\n");
  assertEquals(await ws.read("x.csv"), "published\n");
});
