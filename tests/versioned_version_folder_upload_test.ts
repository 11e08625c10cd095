/**
 * A version uploaded into a folder of its key's name (`aws s3 cp bar.csv
 * s3://b/foo/bar.3.0.0.csv/`, the trailing `/` making `foo/bar.3.0.0.csv/bar.csv`)
 * is no key vc reads, but baiji-pod's `versions` listed it (it reads the first
 * `.N.N.N` of any key under the path's prefix with its extension): a bucket
 * migrated from baiji-pod may hold such a 3.0.0 that the team believes in.
 * vc passed over it in silence, `update --patch` publishing 1.0.1 below it,
 * and `vc path … 3.0.0` saying only that 3.0.0 does not exist.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { foreignVersionOf } from "../src/versioned/naming.ts";

async function withFolderVersion(): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  await ws.write("bar.csv", "one\n");
  assertEquals((await ws.vc("add", "/foo/bar.csv", "bar.csv")).code, 0);
  await ws.write("bucket/foo/bar.3.0.0.csv/bar.csv", "three\n");
  return ws;
}

Deno.test("vc versions names a version uploaded into a folder of its key's name", async () => {
  await using ws = await withFolderVersion();
  const r = await ws.vc("versions", "/foo/bar.csv");
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.trim(), "1.0.0");
  assertStringIncludes(r.stderr, "foo/bar.3.0.0.csv/bar.csv");
  assertStringIncludes(r.stderr, "inside a folder named foo/bar.3.0.0.csv");
});

Deno.test("vc path of that version names the key inside the folder", async () => {
  await using ws = await withFolderVersion();
  const r = await ws.vc("path", "/foo/bar.csv", "3.0.0");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "foo/bar.3.0.0.csv/bar.csv");
});

Deno.test("vc update --patch beside it warns that 1.0.1 is below it", async () => {
  await using ws = await withFolderVersion();
  await ws.write("bar2.csv", "two\n");
  const r = await ws.vc("update", "/foo/bar.csv", "bar2.csv", "--patch");
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "foo/bar.3.0.0.csv/bar.csv");
  assertStringIncludes(r.stderr, "--version 3.0.1");
  assert(!r.stderr.includes("foo/bar.3.0.0.csv/bar.csv in the bucket is shaped"), r.stderr);
});

Deno.test("a folder's own marker and a key below another path's version are not that version", () => {
  assertEquals(foreignVersionOf("foo/bar.3.0.0.csv/", "/foo/bar.csv"), undefined);
  assertEquals(foreignVersionOf("foo/bar.3.0.0.json/bar.csv", "/foo/bar.csv"), undefined);
  assertEquals(foreignVersionOf("foo/bar.x.3.0.0.csv/bar.csv", "/foo/bar.csv"), undefined);
  assertEquals(foreignVersionOf("foo/bar.2.0.0-rc.1.csv/a/b.csv", "/foo/bar.csv"), {
    version: "2.0.0-rc.1",
    base: "2.0.0",
    prerelease: true,
    folder: "foo/bar.2.0.0-rc.1.csv",
  });
});

Deno.test("vc versions names a folder of many keys in one warning, not one a key", async () => {
  await using ws = await withFolderVersion();
  for (let i = 0; i < 25; i++) {
    await ws.write(`bucket/foo/bar.3.0.0.csv/part${String(i).padStart(2, "0")}.csv`, "p\n");
  }
  await ws.write("bucket/foo/bar.v4.0.0.csv", "four\n");
  const r = await ws.vc("versions", "/foo/bar.csv");
  assertEquals(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assertEquals(lines.length, 2, r.stderr);
  const folder = lines.find((l) => l.includes("inside a folder")) ?? "";
  assertStringIncludes(
    folder,
    "foo/bar.3.0.0.csv/bar.csv and 25 more keys in the bucket are inside a folder named " +
      "foo/bar.3.0.0.csv",
  );
  assertStringIncludes(folder, "copy the one that holds 3.0.0 to foo/bar.3.0.0.csv");
  assert(lines.some((l) => l.includes("foo/bar.v4.0.0.csv")), r.stderr);
});

Deno.test("vc path of a version in a folder of several keys names them all, for the user to pick", async () => {
  await using ws = await withFolderVersion();
  await ws.write("bucket/foo/bar.3.0.0.csv/other.csv", "other\n");
  const r = await ws.vc("path", "/foo/bar.csv", "3.0.0");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "holds it as 2 keys");
  assertStringIncludes(r.stderr, "foo/bar.3.0.0.csv/bar.csv, foo/bar.3.0.0.csv/other.csv");
});
