/**
 * A teammate's `vc update` moved a pin; after `git pull`, offline (a train,
 * a plane), `vc path` of that path failed naming only a bucket URI and where
 * its copy would be: not which entry, at which version, nor that the
 * version read yesterday is still cached. It now names the entry, its pinned
 * version and the manifest, says that `vc prefill` online caches every
 * pinned version, and names the versions of the path that are cached.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("offline, a pin not cached names the entry, vc prefill, and the versions cached", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("src/a.csv", "a\n");
  assertEquals((await ws.vc("add", "/d/a.csv", file)).code, 0);
  assertEquals((await ws.vc("path", "/d/a.csv")).code, 0);
  await ws.write("src/a.csv", "a2\n");
  assertEquals((await ws.vc("update", "/d/a.csv", file, "--minor")).code, 0);
  const rm = await ws.run(["cache", "rm", `${ws.bucket}/d/a.1.1.0.csv`]);
  assertEquals(rm.code, 0, rm.stderr);

  const manifest = ws.path("versioned_assets.json");
  const r = await ws.vc("path", "/d/a.csv", "--offline");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "is not cached");
  assertStringIncludes(r.stderr, `it is /d/a.csv 1.1.0, pinned in ${manifest}`);
  assertStringIncludes(r.stderr, "`vc prefill` online caches every pinned version");
  assertStringIncludes(
    r.stderr,
    "the cache holds 1.0.0 of /d/a.csv, which `vc path` of that version reads offline",
  );
  const older = await ws.vc("path", "/d/a.csv", "1.0.0", "--offline");
  assertEquals(older.code, 0, older.stderr);

  // With nothing of the path cached, no such list.
  assertEquals((await ws.run(["cache", "rm", `${ws.bucket}/d/a.1.0.0.csv`])).code, 0);
  const none = await ws.vc("path", "/d/a.csv", "--offline");
  assertEquals(none.code, 1);
  assertStringIncludes(none.stderr, `it is /d/a.csv 1.1.0, pinned in ${manifest}`);
  assertEquals(none.stderr.includes("the cache holds"), false, none.stderr);
});
