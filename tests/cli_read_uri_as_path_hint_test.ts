/**
 * `vc path s3://b/k`, `vc cat URI` and `vc get URI DEST` (a plain object's
 * URI given to the commands that read a manifest's path) were refused with
 * `it is a URI, not a path of the manifest` and nothing more: true, but the
 * command that reads an object by its URI went unnamed. The usage error
 * names it now, with the URI as given (its secrets left out), and says how
 * `vc get`'s copy is made from it.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc path, cat and get of an object's URI name vc cache get in their usage error", async () => {
  await using ws = await CliWorkspace.create();
  const uri = "s3://my-bucket/tables/cities.csv";
  for (const bucket of [[], ["--bucket", ws.bucket]]) {
    const path = await ws.run(["path", uri, ...bucket]);
    assertEquals(path.code, 2, path.stderr);
    assertStringIncludes(path.stderr, "it is a URI, not a path of the manifest");
    assertStringIncludes(path.stderr, `to read the object by its URI: vc cache get ${uri}`);

    const cat = await ws.run(["cat", uri, ...bucket]);
    assertEquals(cat.code, 2, cat.stderr);
    assertStringIncludes(cat.stderr, `vc cache get ${uri}`);

    const get = await ws.run(["get", uri, "out.csv", ...bucket]);
    assertEquals(get.code, 2, get.stderr);
    assertStringIncludes(get.stderr, `cp "$(vc cache get ${uri})" out.csv`);
  }
  // A file:// URI too, shell-quoted where it needs to be.
  const file = "file:///srv/my assets/a.csv";
  const got = await ws.run(["get", file, "./"]);
  assertEquals(got.code, 2, got.stderr);
  assertStringIncludes(got.stderr, `cp "$(vc cache get 'file:///srv/my assets/a.csv')" ./`);
  // Credentials in a URI are not echoed into the hint.
  const secret = await ws.run(["path", "s3://KEY:SECRET@b/x.csv"]);
  assertEquals(secret.code, 2, secret.stderr);
  assert(!secret.stderr.includes("SECRET"), secret.stderr);
  // A URI where a command publishes (add) is not pointed at vc cache get.
  await ws.write("a.csv", "a\n");
  const add = await ws.run(["add", uri, "a.csv", "--bucket", ws.bucket]);
  assertEquals(add.code, 2, add.stderr);
  assert(!add.stderr.includes("vc cache get"), add.stderr);
});
