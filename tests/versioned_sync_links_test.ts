/**
 * `vc sync DEST` never writes through a symbolic link to a directory inside
 * DEST (one a checkout or an unpacked archive planted): the entry fails,
 * naming the link, what it points to is untouched, and the rest is copied.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { treeContents } from "./mirror_helpers.ts";

/**
 * Adds each asset of `assets` (path → content) with `vc add`, from a file
 * named as the path's last segment; each add must succeed.
 */
async function addAll(ws: CliWorkspace, assets: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(assets)) {
    const file = path.slice(path.lastIndexOf("/") + 1);
    await ws.write(file, content);
    assertEquals((await ws.vc("add", path, file)).code, 0);
  }
}

Deno.test({
  name: "vc sync refuses a directory link in DEST, names it, and copies the rest",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await using ws = await CliWorkspace.create();
    await addAll(ws, { "/demo/a.csv": "a\n", "/other/b.csv": "b\n" });
    const outside = ws.path("outside");
    await Deno.mkdir(outside);
    await Deno.mkdir(ws.path("out"));
    await Deno.symlink(outside, ws.path("out/demo"));

    const r = await ws.vc("sync", "out");
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "/demo/a.csv");
    assertStringIncludes(r.stderr, `${ws.path("out/demo")} is a symbolic link`);
    assertEquals([...Deno.readDirSync(outside)], [], "nothing written through the link");
    assertEquals(await ws.read("out/other/b.csv"), "b\n");
    assert(Deno.lstatSync(ws.path("out/demo")).isSymlink, "the link is left as it was");
  },
});

Deno.test({
  // A link vc did not write is the user's: replaced only with --force
  // (versioned_sync_local_edits_test.ts), and never written through.
  name: "vc sync --force replaces a file link in DEST without writing to its target",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using ws = await CliWorkspace.create();
    await addAll(ws, { "/demo/a.csv": "a\n" });
    const precious = await ws.write("precious.txt", "keep\n");
    await Deno.mkdir(ws.path("out/demo"), { recursive: true });
    await Deno.symlink(precious, ws.path("out/demo/a.csv"));

    const r = await ws.vc("sync", "out", "--force");
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await ws.read("precious.txt"), "keep\n");
    assertEquals(await ws.read("out/demo/a.csv"), "a\n");
    assert(!Deno.lstatSync(ws.path("out/demo/a.csv")).isSymlink);
  },
});

// DEST a file, below a file, or a dangling link: every entry used to be
// downloaded and then fail alike, one line each ("File exists (os error
// 17): mkdir" for the link, naming nothing).
Deno.test({
  name: "vc sync to a DEST that cannot be a directory says why once, before any download",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await using ws = await CliWorkspace.create();
    await addAll(ws, { "/demo/a.csv": "a\n", "/demo/b.csv": "b\n" });
    await ws.write("afile", "x\n");
    await Deno.symlink(ws.path("nowhere"), ws.path("dangling"));
    const cases: Array<[dest: string, why: string]> = [
      ["afile", "it is a file, not a directory"],
      ["afile/sub", "a file is where one of its directories belongs"],
      ["dangling", `it is a symbolic link to ${ws.path("nowhere")}, which does not exist`],
      [
        "dangling/sub",
        `${ws.path("dangling")} is a symbolic link to ${ws.path("nowhere")}, which does not exist`,
      ],
    ];
    for (const [dest, why] of cases) {
      const r = await ws.vc("sync", dest);
      assertFailure(r, 1, `sync to ${ws.path(dest)} copied nothing: ${why}`);
      assertEquals(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    }
    const cached = await treeContents(ws.cacheDir).catch(() => ({}));
    assertEquals(Object.keys(cached).filter((k) => k.endsWith(".1.0.0.csv")), [], "no download");
    assertEquals(await Deno.lstat(ws.path("nowhere")).catch(() => undefined), undefined);
  },
});
