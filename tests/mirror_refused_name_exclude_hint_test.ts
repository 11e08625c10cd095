/**
 * A source file the target store refuses for its name (one like vc's own
 * metadata sidecars, `.vc~meta~x.json`, in a directory store) fails the
 * same at every run: its failure says the way out, `--exclude`, and the
 * rest is mirrored.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror: a file named like vc's metadata is refused with the --exclude way out", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "ok.txt": "ok", ".vc~meta~x.json": "{}", "d/.vc~lock": "x" });
  await using m = await Mirror.open({
    sources: [src],
    target: new FsStore(join(w.dir, "bucket")),
    statePath: join(w.dir, "s.db"),
  });
  const report = await m.run();
  assertEquals(report.transferred, 1);
  assertEquals(report.failed.map((f) => f.key).sort(), [".vc~meta~x.json", "d/.vc~lock"]);
  for (const f of report.failed) {
    assertStringIncludes(f.error, "reserved for vc's internal files");
    assertStringIncludes(f.error, "leave it out with --exclude");
    assertEquals(f.untilChanged, true);
  }
});
