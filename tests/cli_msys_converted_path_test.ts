// Git Bash (and every MSYS2 or Cygwin shell) on Windows turns an argument
// that starts with / into a Windows path before a native program sees it:
// `vc add /foo/bar.csv bar.csv` reaches vc as `C:/Program Files/Git/foo/bar.csv`.
// vc took that for the manifest path `/C:/Program Files/Git/foo/bar.csv`,
// pinned it and published it under that key (an immutable bucket keeps it),
// and `vc path /foo/bar.csv` answered "not in the manifest". Now a PATH that
// starts with a drive is refused, saying how to type it in such a shell.
// Simulated on Linux by giving the argument as MSYS rewrites it.
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { refuseShellConvertedPath } from "../src/cli/msys_path.ts";

const CONVERTED = "C:/Program Files/Git/foo/bar.csv";

Deno.test("vc add: a PATH Git Bash turned into a Windows path is refused; nothing is published", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bar.csv", "a,b\n");
  const r = await ws.vc("add", CONVERTED, "bar.csv");
  assertFailure(r, 2, "Windows path", "MSYS_NO_PATHCONV", '"/foo/bar.csv"');
  assertEquals([...Deno.readDirSync(ws.bucketDir)], [], "nothing published");
  assert(!(await Deno.lstat(ws.path("versioned_assets.json")).then(() => true, () => false)));
  // As told: no leading slash names the same manifest path.
  const ok = await ws.vc("add", "foo/bar.csv", "bar.csv");
  assertEquals(ok.code, 0, ok.stderr);
  assertStringIncludes(await ws.read("versioned_assets.json"), '"/foo/bar.csv"');
});

Deno.test("a converted path of an unknown shell root is told apart from the advice that follows", () => {
  let message = "";
  try {
    refuseShellConvertedPath("D:\\tools\\x.csv", "PATH");
  } catch (e) {
    message = (e as Error).message;
  }
  // It read "… not a path such as /foo/bar.csv Git Bash and other MSYS …".
  assertStringIncludes(message, "not a path such as /foo/bar.csv; Git Bash and other MSYS");
});

Deno.test("vc path / versions: a drive-letter PATH is refused as a usage error, not a miss", async () => {
  await using ws = await CliWorkspace.create();
  for (const command of ["path", "versions"]) {
    assertFailure(await ws.vc(command, CONVERTED), 2, "Windows path", '"/foo/bar.csv"');
  }
  // A shell of its own root (MSYS2): the meant path cannot be told, the advice stands.
  assertFailure(await ws.vc("path", "D:\\tools\\x.csv"), 2, "Windows path", "MSYS_NO_PATHCONV");
  // A manifest path with a drive-like first directory is still reachable, spelled with its /.
  const r = await ws.vc("path", "/C:/x.csv");
  assert(!r.stderr.includes("Windows path"), r.stderr);
});

Deno.test("vc repo add: a logical PATH Git Bash turned into a Windows path is refused", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bar.csv", "a,b\n");
  const r = await ws.run(["repo", "add", CONVERTED, "bar.csv", "--repo", ws.bucket]);
  assertFailure(r, 2, "Windows path", '"/foo/bar.csv"');
});

Deno.test("vc repo tag: a converted TARGET is refused with advice that works for a path told by its /", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["repo", "tag", CONVERTED, "t", "--repo", ws.bucket]);
  assertFailure(r, 2, "Windows path", '"/foo/bar.csv"', "MSYS_NO_PATHCONV=1");
  assert(!r.stderr.includes("without the leading /"), r.stderr);
});

Deno.test("vc mirror: a --target-prefix Git Bash turned into a Windows path is refused; nothing is uploaded", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.csv", "a\n");
  const r = await ws.run([
    "mirror",
    "data",
    ws.bucket,
    "--target-prefix",
    "C:/Program Files/Git/data/",
  ]);
  assertFailure(r, 2, "--target-prefix", "Windows path", '"/data/"');
  assertEquals([...Deno.readDirSync(ws.bucketDir)], [], "nothing uploaded");
  // A store source's --source-prefix is a key prefix too.
  const down = await ws.run([
    "mirror",
    ws.bucket,
    "out",
    "--source-prefix",
    "C:/Program Files/Git/data/",
  ]);
  assertFailure(down, 2, "--source-prefix", "Windows path");
});
