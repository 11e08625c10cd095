/**
 * `vc path PATH --json` named the version only when VERSION was given on the
 * command line, so a script that logs which version it read had to ask
 * `vc ls` or `vc path-remote` too. It now gives the version it read, the
 * manifest's pin, as `vc path-remote --json` does, from the full command and
 * from the lean entry that answers a warm hit alike; an override has none.
 * `vc get PATH DEST --json` likewise.
 */
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc path --json names the pinned version, cold and warm", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.csv", "a\n");
  await ws.write("g.csv", "b\n");
  assertEquals((await ws.vc("add", "/f.csv", "f.csv")).code, 0);
  assertEquals((await ws.vc("update", "/f.csv", "g.csv", "--minor")).code, 0);
  const local = `${ws.cacheDir}/file${ws.bucketDir}/f.1.1.0.csv`;
  const expected = { path: "/f.csv", version: "1.1.0", local };
  // Cold: the full command downloads it.
  const cold = await ws.vc("path", "/f.csv", "--json");
  assertEquals(cold.code, 0, cold.stderr);
  assertEquals(cold.json(), expected);
  // Warm: the lean entry answers it itself.
  const io = memoryIo({ env: { ...ws.env, VC_BUCKET: ws.bucket }, cwd: ws.dir });
  assertEquals(await hotPath(["path", "/f.csv", "--json"], io), 0, io.stderr());
  assertEquals(JSON.parse(io.stdout()), expected);
  // VERSION given: that one, as before.
  const old = await ws.vc("path", "/f.csv", "1.0.0", "--json");
  assertEquals(old.json<{ version: string }>().version, "1.0.0");
  const got = await ws.vc("get", "/f.csv", "out.csv", "--json");
  assertEquals(got.json(), { path: "/f.csv", version: "1.1.0", dest: ws.path("out.csv") });
});

Deno.test("vc path --json of an override has no version", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("dev/x.csv", "x\n");
  await ws.write("versioned_assets.json", '{"/x.csv": "./dev/x.csv"}\n');
  const r = await ws.vc("path", "/x.csv", "--json");
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json(), { path: "/x.csv", local: file });
  const got = await ws.vc("get", "/x.csv", "out.csv", "--json");
  assertEquals(got.json(), { path: "/x.csv", dest: ws.path("out.csv") });
});
