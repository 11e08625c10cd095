/**
 * A bucket baiji-pod still publishes to reads vc's keys through baiji-pod's
 * listing, which takes the first `.N.N.N` of a key for its version: the key
 * of `/d/data.2.csv` at 1.0.0, `d/data.2.1.0.0.csv`, is version 2.1.0 to its
 * `versions`, and its `update --patch` publishes 2.1.1 next. vc reads the key
 * right, and must write it so (baiji-pod's `path` finds it there), but `vc add`
 * of such a path used to say nothing of it: it now warns, once, before the
 * upload, naming what baiji-pod reads and a name it reads right.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { baijiPodVersionOf } from "../src/versioned/naming.ts";

Deno.test("vc add of a path whose name ends in a number before its extension warns of baiji-pod", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.csv", "x\n");
  const r = await ws.vc("add", "/d/data.2.csv", "f.csv");
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "d/data.2.1.0.0.csv");
  assertStringIncludes(r.stderr, "baiji-pod");
  assertStringIncludes(r.stderr, "2.1.0");
  assertEquals(await ws.read("bucket/d/data.2.1.0.0.csv"), "x\n");
  // Paths baiji-pod reads right: no word.
  for (const p of ["/d/b.tar.gz", "/x", "/.bashrc", "/d/IMG.PNG", "/d/photo.2024.01.05.jpg"]) {
    const ok = await ws.vc("add", p, "f.csv");
    assertEquals(ok.code, 0, ok.stderr);
    assert(!ok.stderr.includes("baiji-pod"), `${p}: ${ok.stderr}`);
  }
});

// `/d/archive.1.0.0.tar.gz` at 1.0.0 is `d/archive.1.0.0.tar.1.0.0.gz`, 1.0.0
// to baiji-pod by chance: its next version, `d/archive.1.0.0.tar.1.0.1.gz`, is
// 1.0.0 to it too (and its `update --patch` would write over vc's 1.0.1).
Deno.test("vc add of a path whose name holds the version it publishes warns of baiji-pod", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.csv", "x\n");
  const r = await ws.vc("add", "/d/archive.1.0.0.tar.gz", "f.csv");
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(
    r.stderr,
    "baiji-pod reads d/archive.1.0.0.tar.1.0.1.gz (the key of its next version, 1.0.1) as " +
      "version 1.0.0, not 1.0.1",
  );
  const v = await ws.vc("add", "/d/model.2.0.0.bin", "f.csv", "--version", "2.0.0");
  assertEquals(v.code, 0, v.stderr);
  assertStringIncludes(v.stderr, "d/model.2.0.0.2.0.1.bin (the key of its next version, 2.0.1)");
});

Deno.test("baijiPodVersionOf reads a key as baiji-pod's listing does", () => {
  assertEquals(baijiPodVersionOf("foo/bar.1.2.5.csv"), "1.2.5");
  assertEquals(baijiPodVersionOf("d/data.2.1.0.0.csv"), "2.1.0");
  assertEquals(baijiPodVersionOf("d/scan.v1.5.1.0.0.ply"), "5.1.0");
  assertEquals(baijiPodVersionOf("d/x.2.0.0-rc.1.csv"), "2.0.0");
  assertEquals(baijiPodVersionOf("d/a.1.2.3/x.1.0.0.csv"), "1.2.3");
  assertEquals(baijiPodVersionOf("d/x.1.02.0.csv"), undefined);
  assertEquals(baijiPodVersionOf("d/README"), undefined);
});
