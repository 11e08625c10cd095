import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

// In a directory bucket a symbolic link at a version's name is no object:
// `vc versions` does not list it, `vc verify` and `vc lock` call it missing,
// `add` / `update` refuse to publish over it. Yet `vc path`, `cat`, `get` and
// `sync` read through it (to /etc/passwd, say, planted in a shared bucket),
// as if the version were published.
Deno.test("path/cat/sync: a symbolic link at a version's name in a directory bucket is no version", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  await ws.write("elsewhere.txt", "not published");
  assertEquals((await ws.vc("add", "/x/a.txt", "f.txt")).code, 0);
  await Deno.symlink(join(ws.dir, "elsewhere.txt"), join(ws.bucketDir, "x/a.2.0.0.txt"));
  await ws.write("versioned_assets.json", '{\n    "/x/a.txt": "2.0.0"\n}\n');

  const versions = await ws.vc("versions", "/x/a.txt");
  assertEquals(versions.stdout.trim(), "1.0.0");
  for (const args of [["path", "/x/a.txt"], ["cat", "/x/a.txt"], ["path", "/x/a.txt", "2.0.0"]]) {
    const r = await ws.vc(...args);
    assertFailure(r, 1, "version 2.0.0 of /x/a.txt does not exist");
    assert(r.stderr.includes("available: 1.0.0"), r.stderr);
    assert(!r.stdout.includes("not published"), r.stdout);
  }
  const sync = await ws.vc("sync", "out");
  assertEquals(sync.code, 1, sync.stderr);
  assert(sync.stderr.includes("version 2.0.0 of /x/a.txt does not exist"), sync.stderr);
  await Deno.lstat(join(ws.dir, "out/x/a.txt")).then(
    () => assert(false, "sync copied what the link leads to"),
    (e) => assert(e instanceof Deno.errors.NotFound, String(e)),
  );
  const prefill = await ws.vc("prefill");
  assertEquals(prefill.code, 1, prefill.stderr);
  assert(prefill.stderr.includes("version 2.0.0 of /x/a.txt does not exist"), prefill.stderr);
  // The version the bucket holds is still read.
  const one = await ws.vc("cat", "/x/a.txt", "1.0.0");
  assertEquals([one.code, one.stdout], [0, "one"]);
});

// A link to a directory on the way to a version's key likewise: the store
// does not list or read below it.
Deno.test("path/cat: a version below a linked directory in a directory bucket is no version", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  await ws.write("outside/b.1.0.0.txt", "not published");
  assertEquals((await ws.vc("add", "/x/a.txt", "f.txt")).code, 0);
  await Deno.symlink(join(ws.dir, "outside"), join(ws.bucketDir, "d"));
  await ws.write("versioned_assets.json", '{\n    "/d/b.txt": "1.0.0"\n}\n');
  assertFailure(await ws.vc("versions", "/d/b.txt"), 0, "has no versions");
  for (const args of [["path", "/d/b.txt"], ["cat", "/d/b.txt"]]) {
    const r = await ws.vc(...args);
    assertFailure(r, 1, "version 1.0.0 of /d/b.txt does not exist");
    assert(!r.stdout.includes("not published"), r.stdout);
  }
});
