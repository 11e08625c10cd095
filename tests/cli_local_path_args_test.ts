/**
 * A URI where vc expects a local path (baiji-pod's `vc sync s3://b/dir`,
 * `vc get /x.csv s3://b/x.csv`) is refused, naming it, instead of being
 * written to a local directory called `s3:`.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("cli local path args: a URI as FILE, DEST, --manifest, --lock or --cache-dir is refused", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bar.csv", "a\n");
  assertEquals((await ws.vc("add", "/bar.csv", "bar.csv")).code, 0);

  const cases: Array<[string[], string]> = [
    [["get", "/bar.csv", "s3://other/copy/bar.csv"], "DEST"],
    [["get", "/bar.csv", "1.0.0", "s3://other/copy/bar.csv"], "DEST"],
    [["sync", "s3://other/synced"], "DEST"],
    [["add", "/new.csv", "s3://other/new.csv"], "FILE"],
    [["update", "/bar.csv", "s3://other/bar.csv", "--patch"], "FILE"],
    [["ls", "--manifest", "s3://other/m.json"], "--manifest"],
    [["ls", "--lock", "s3://other/m.lock.json"], "--lock"],
    [["path", "/bar.csv", "--cache-dir", "s3://other/cache"], "--cache-dir"],
  ];
  for (const [args, what] of cases) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `${what} must be a local path, got the URI "s3://other/`);
  }
  assertEquals(await exists(ws.path("s3:")), false);
  assertEquals(await ws.read("versioned_assets.json"), '{\n    "/bar.csv": "1.0.0"\n}\n');

  // Paths, also ones that merely contain a colon, are still paths.
  assertEquals((await ws.vc("get", "/bar.csv", "out:1/bar.csv")).code, 0);
  assertEquals(await ws.read("out:1/bar.csv"), "a\n");
});
