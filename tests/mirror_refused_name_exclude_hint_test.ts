/**
 * A source file the target store refuses for its name (one shaped like vc's
 * temp files, `.x.vc-tmp-<pid>-<random>`, in a directory store) fails the
 * same at every run: its failure says the way out, `--exclude`, and the
 * rest is mirrored. (The directory store's own `.vc~…` files are no such
 * failure: a source's are left out, see mirror_store_dir_as_source_test.ts.)
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror: a file named like vc's temp files is refused with the --exclude way out", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, {
    "ok.txt": "ok",
    ".x.json.vc-tmp-12-abcdefgh": "{}",
    "d/.y.vc-tmp-3-abcdefgh": "x",
    ".vc~meta~ok.txt.json": "{}",
  });
  await using m = await Mirror.open({
    sources: [src],
    target: new FsStore(join(w.dir, "bucket")),
    statePath: join(w.dir, "s.db"),
  });
  const report = await m.run();
  assertEquals(report.transferred, 1);
  assertEquals(report.failed.map((f) => f.key).sort(), [
    ".x.json.vc-tmp-12-abcdefgh",
    "d/.y.vc-tmp-3-abcdefgh",
  ]);
  assertEquals(report.skipped?.map((s) => s.kind), ["internal"]);
  for (const f of report.failed) {
    assertStringIncludes(f.error, "reserved for vc's temp files");
    assertStringIncludes(f.error, "leave it out with --exclude");
    assertEquals(f.untilChanged, true);
  }
});
