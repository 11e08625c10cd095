/**
 * With `--follow-symlinks`, a link to a directory above it (`x/up -> ..`, a
 * `current -> .` some tools leave) is never followed: it would repeat the
 * tree below itself for ever. It is passed over as a symbolic link left
 * out for what it is, reported in `skipped` and counted in the summary,
 * so a target short of what the link leads to says why rather than
 * leaving it out silently.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { RACY_MS, tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test({
  name: "mirror --follow-symlinks: a link to a directory above it is reported as skipped",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a", "x/b.txt": "b" });
    await Deno.symlink("..", join(src, "x/up"));
    await Deno.symlink(".", join(src, "here"));
    for (const walkThread of [false, true]) {
      const r = await mirror({
        sources: [src],
        target: new MemoryStore(),
        statePath: join(w.dir, `${walkThread}.db`),
        racyWindowMs: RACY_MS,
        symlinks: "follow",
        walkThread,
      });
      assertEquals(r.transferred, 2);
      assertEquals(r.failed, []);
      assertEquals(r.skipped, [
        { key: "here", path: join(src, "here"), kind: "loop" },
        { key: "x/up", path: join(src, "x/up"), kind: "loop" },
      ]);
    }
  },
});

Deno.test({
  name: "vc mirror --follow-symlinks: the summary counts the links to a directory above them",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using ws = await CliWorkspace.create();
    await writeTree(ws.path("src"), { "a.txt": "a" });
    await Deno.mkdir(ws.path("src/d"));
    await Deno.symlink("..", ws.path("src/d/up"));
    const run = await ws.run(["mirror", "src", ws.bucket, "--follow-symlinks"]);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(
      run.stdout,
      "1 loop skipped (a symlink or bind mount to a directory above it, never followed: d/up)",
    );
  },
});
