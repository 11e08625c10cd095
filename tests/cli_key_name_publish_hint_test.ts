/**
 * A bucket key's name (`/data/a.1.0.0.csv`, copied from `aws s3 ls`) given
 * to `vc update` or `vc add` where the asset's path goes. `update` used to
 * send the user to `vc add`, which starts a second asset under that name;
 * now it names the path and version the key stands for, and `add` (a legal
 * name, so still published) warns of it before the upload.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("cli update: a bucket key's name is named as its path and version, not sent to add", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a\n");
  await ws.write("src/b.csv", "b\n");
  assertEquals((await ws.vc("add", "/data/a.csv", "src/a.csv")).code, 0);
  const manifest = await ws.read("versioned_assets.json");

  for (const given of ["/data/a.1.0.0.csv", "data/a.1.0.0.csv"]) {
    const r = await ws.vc("update", given, "src/b.csv", "--patch");
    assertFailure(
      r,
      1,
      "/data/a.1.0.0.csv has no versions in",
      "it names the bucket key of version 1.0.0 of /data/a.csv",
      "`vc update /data/a.csv FILE`",
    );
    assert(!r.stderr.includes("vc add"), r.stderr);
  }
  assertEquals(await ws.read("versioned_assets.json"), manifest);

  // A path the manifest does not have keeps the plain advice.
  const other = await ws.vc("update", "/data/b.1.0.0.csv", "src/b.csv", "--patch");
  assertFailure(other, 1, "publish its first version with `vc add`");
  assert(!other.stderr.includes("bucket key"), other.stderr);
});

Deno.test("cli add: a bucket key's name is published as its own asset, with a warning first", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a\n");
  await ws.write("src/b.csv", "b\n");
  assertEquals((await ws.vc("add", "/data/a.csv", "src/a.csv")).code, 0);

  const r = await ws.vc("add", "/data/a.1.0.0.csv", "src/b.csv");
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(
    r.stderr,
    "vc: warning: /data/a.1.0.0.csv names the bucket key of version 1.0.0 of /data/a.csv",
  );
  assertStringIncludes(r.stderr, "(data/a.1.0.0.1.0.0.csv)");
  assertStringIncludes(r.stderr, "`vc update /data/a.csv FILE`");
  const entries = JSON.parse(await ws.read("versioned_assets.json"));
  assertEquals(entries, { "/data/a.1.0.0.csv": "1.0.0", "/data/a.csv": "1.0.0" });

  // An ordinary new path gets no such warning.
  const plain = await ws.vc("add", "/data/c.csv", "src/b.csv");
  assertEquals(plain.code, 0, plain.stderr);
  assert(!plain.stderr.includes("bucket key"), plain.stderr);
});
