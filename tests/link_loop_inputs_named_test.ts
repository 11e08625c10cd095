/**
 * A loop of symbolic links (`ln -s loop loop`, or `a -> b -> a`) planted
 * where vc expects a file or a directory. `vc get PATH DEST` and the token
 * file already named such a loop with what it was for; elsewhere it came out
 * as a bare OS error naming another file (`vc sync LOOP`: "Too many levels
 * of symbolic links (os error 40): lstat '…/LOOP/.vc-sync.json.lock'"), or
 * without what the path was for (`vc add PATH LOOP`), or as a miss
 * (`vc cache get file:///…/LOOP`: "does not exist in the store"). Each now
 * says what the path was, that its links loop, and copies nothing.
 */
import { InvalidInputError } from "../src/errors.ts";
import { regularFile } from "../src/regular_file.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

const linkable = Deno.build.os !== "windows"; // symlinks need privileges there
const LOOP = "too many levels of symbolic links";

async function withLoops(fn: (ws: CliWorkspace) => Promise<void>): Promise<void> {
  await using ws = await CliWorkspace.create();
  await Deno.symlink("loop", ws.path("loop"));
  await Deno.symlink("b", ws.path("a"));
  await Deno.symlink("a", ws.path("b"));
  await fn(ws);
}

Deno.test({
  name: "vc sync to a DEST whose links loop names DEST, before any download",
  ignore: !linkable,
  async fn() {
    await withLoops(async (ws) => {
      await ws.write("t.csv", "t\n");
      assertEquals((await ws.vc("add", "/t.csv", "t.csv")).code, 0);
      for (const dest of ["loop", "a", "loop/sub"]) {
        const r = await ws.vc("sync", dest);
        assertFailure(r, 1, `sync to ${ws.path(dest)} copied nothing`, LOOP);
      }
    });
  },
});

Deno.test({
  name:
    "vc add of a FILE whose links loop (and regularFile, its check) names it and what it was for",
  ignore: !linkable,
  async fn() {
    await withLoops(async (ws) => {
      const add = await ws.vc("add", "/t.csv", "a");
      assertFailure(add, 1, "file to publish as /t.csv", ws.path("a"), LOOP);
      assertEquals([...Deno.readDirSync(ws.bucketDir)], []);
      const e = await assertRejects(() => regularFile(ws.path("loop"), "input"), InvalidInputError);
      assertStringIncludes(e.message, `input: ${ws.path("loop")}: ${LOOP}`);
    });
  },
});

Deno.test({
  name: "vc cache get of a file:// URI whose links loop says so, not that nothing is there",
  ignore: !linkable,
  async fn() {
    await withLoops(async (ws) => {
      const uri = `file://${ws.path("loop")}`;
      const r = await ws.run(["cache", "get", uri]);
      assertFailure(r, 1, uri, `symbolic links at that path loop (${LOOP})`);
    });
  },
});
