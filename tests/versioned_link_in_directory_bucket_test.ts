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

// The missing version's error names what sits at its key, so a user who
// sees `x/a.2.0.0.txt` in the bucket's directory (a link made to alias a
// version, or a FIFO) is not told that it does not exist and left to guess.
Deno.test("path/verify: a symbolic link at a version's key in a directory bucket is named in the error", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  assertEquals((await ws.vc("add", "/x/a.txt", "f.txt")).code, 0);
  await Deno.symlink("a.1.0.0.txt", join(ws.bucketDir, "x/a.2.0.0.txt"));
  await Deno.symlink("gone.txt", join(ws.bucketDir, "x/a.3.0.0.txt"));
  const link = await ws.vc("path", "/x/a.txt", "2.0.0");
  assertFailure(link, 1, "version 2.0.0 of /x/a.txt does not exist");
  assert(
    link.stderr.includes(
      "x/a.2.0.0.txt is a symbolic link (to a.1.0.0.txt), which a directory bucket does not " +
        "read as a version (only a regular file is one; vc never reads through links there): " +
        "put the file itself there",
    ),
    link.stderr,
  );
  const dangling = await ws.vc("cat", "/x/a.txt", "3.0.0");
  assertFailure(dangling, 1, "x/a.3.0.0.txt is a symbolic link (to gone.txt)");
  await ws.write("versioned_assets.json", '{\n    "/x/a.txt": "2.0.0"\n}\n');
  const verify = await ws.vc("verify");
  assertEquals(verify.code, 1, verify.stderr);
  assert(verify.stdout.includes("x/a.2.0.0.txt is a symbolic link"), verify.stdout);
  // A plain missing version says nothing of the kind.
  const missing = await ws.vc("path", "/x/a.txt", "4.0.0");
  assertFailure(missing, 1, "version 4.0.0 of /x/a.txt does not exist");
  assert(!missing.stderr.includes("symbolic link"), missing.stderr);
});

Deno.test({
  name: "path: a FIFO at a version's key in a directory bucket is named in the error",
  ignore: Deno.build.os === "windows", // no FIFOs (mkfifo) on Windows
  async fn() {
    await using ws = await CliWorkspace.create();
    await ws.write("f.txt", "one");
    assertEquals((await ws.vc("add", "/x/a.txt", "f.txt")).code, 0);
    const mkfifo = await new Deno.Command("mkfifo", {
      args: [join(ws.bucketDir, "x/a.2.0.0.txt")],
    }).output();
    assert(mkfifo.success, new TextDecoder().decode(mkfifo.stderr));
    const r = await ws.vc("path", "/x/a.txt", "2.0.0");
    assertFailure(r, 1, "x/a.2.0.0.txt is a FIFO, which a directory bucket does not read");
  },
});
