// `vc update` of a path the manifest pins, when the bucket holds no version
// of it under vc's keys, asked "is this the bucket the manifest was
// published to?". A bucket migrated from another tool (or filled by hand)
// may hold the pinned version under a name vc does not read: a `v` prefix
// or build metadata (`foo/bar.v1.4.0.csv`), another tool's naming
// (`foo/bar-1.4.0.csv`), another letter case (`foo/Bar.1.4.0.csv`). `vc path`
// of the pin named that key and the copy that makes it vc's; `vc update`
// sent the user looking for another bucket. It now names them as `vc path`
// does.
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

async function updateBeside(key: string) {
  const ws = await CliWorkspace.create();
  await ws.write(`bucket/${key}`, "old\n");
  await ws.write("versioned_assets.json", '{\n    "/foo/bar.csv": "1.4.0"\n}\n');
  await ws.write("bar.csv", "new\n");
  const r = await ws.vc("update", "/foo/bar.csv", "bar.csv", "--patch");
  return { ws, r };
}

Deno.test("vc update of a pin the bucket holds in a spelling vc does not read names the key and the copy", async () => {
  const { ws, r } = await updateBeside("foo/bar.v1.4.0.csv");
  await using _ = ws;
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "pins 1.4.0");
  assertStringIncludes(r.stderr, "copy that object to foo/bar.1.4.0.csv");
  assertStringIncludes(r.stderr, "`vc adopt /foo/bar.csv` copies every such key");
  assert(!r.stderr.includes("is this the bucket"), r.stderr);
});

Deno.test("vc update of a pin the bucket holds in another tool's naming names the copy that adopts it", async () => {
  const { ws, r } = await updateBeside("foo/bar-1.4.0.csv");
  await using _ = ws;
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "foo/bar-1.4.0.csv (1.4.0; vc's key foo/bar.1.4.0.csv)");
  assert(!r.stderr.includes("is this the bucket"), r.stderr);
});

Deno.test("vc update of a pin the bucket holds in another letter case names that path", async () => {
  const { ws, r } = await updateBeside("foo/Bar.1.4.0.csv");
  await using _ = ws;
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "/foo/Bar.csv, which differs from it only in letter case");
  assert(!r.stderr.includes("is this the bucket"), r.stderr);
});

Deno.test("vc update of a pin the bucket holds under no name still asks whether it is the bucket", async () => {
  const { ws, r } = await updateBeside("other/x.1.0.0.csv");
  await using _ = ws;
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "is this the bucket the manifest was published to?");
});

Deno.test("vc update of a pin beside other versions in a spelling vc does not read names them and vc adopt", async () => {
  const { ws, r } = await updateBeside("foo/bar.v1.5.0.csv");
  await using _ = ws;
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "pins 1.4.0");
  assertStringIncludes(r.stderr, "spellings vc does not read (foo/bar.v1.5.0.csv)");
  assertStringIncludes(r.stderr, "`vc adopt /foo/bar.csv` copies every such key");
  assert(!r.stderr.includes("is this the bucket"), r.stderr);
  assert(!r.stderr.includes("vc add"), r.stderr); // refuses a pinned path
});
