/**
 * A URI where vc expects a local path (baiji-pod's `vc sync s3://b/dir`,
 * `vc get /x.csv s3://b/x.csv`) is refused, naming it, instead of being
 * written to a local directory called `s3:`.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { exists } from "./path_exists.ts";

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
    [["path", "/bar.csv", "--lock", "s3://other/m.lock.json"], "--lock"], // vc ls reads no lock
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

Deno.test("cli local path args: repo and cache-client files refuse a URI or an empty value", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bar.csv", "a\n");
  const repo = `${ws.bucket}/repo`;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  assertEquals((await ws.run(["repo", "add", "/bar.csv", "bar.csv", "--repo", repo])).code, 0);
  const service = ["--url", "http://127.0.0.1:1", "--token", "t"];

  const cases: Array<[string[], string]> = [
    [["repo", "add", "/new.csv", "s3://other/new.csv", "--repo", repo], "FILE"],
    [["repo", "get", "1", "--to", "s3://other/copy.csv", "--repo", repo], "--to"],
    [["cache-client", "put", "0123".repeat(32), "s3://other/new.csv", ...service], "FILE"],
    [["cache-client", "get", "0123".repeat(32), "s3://other/copy.csv", ...service], "DEST"],
  ];
  for (const [args, what] of cases) {
    const r = await ws.run(args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `${what} must be a local path, got the URI "s3://other/`);
    // An empty value (an unset variable) is not the working directory.
    const empty = await ws.run(args.map((a) => a.startsWith("s3://") ? "" : a));
    assertEquals(empty.code, 2, `${args.join(" ")} "": ${empty.stderr}`);
    assertStringIncludes(empty.stderr, `${what} is empty: give a local path`);
  }
  assertEquals(await exists(ws.path("s3:")), false);
  assertEquals(await exists(ws.path("bar.csv.1")), false);
  assertEquals([...Deno.readDirSync(ws.dir)].map((e) => e.name).sort(), [
    "bar.csv",
    "bucket",
    "home",
  ]);
});
