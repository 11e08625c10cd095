/**
 * A local → store mirror reads its source: the name probe run for a delete
 * it checks (`fileOfKey`, a file back at the key since the walk) asks the
 * source root by the names it lists, never by a temp file made in it. Made
 * there, a second upload of that source (another `vc mirror`, a watch of
 * it) could list the probe's file or get an event for it.
 */
import { join } from "node:path";
import { isTempName } from "../src/atomic_write.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { fileOfKey } from "../src/mirror/local_side.ts";
import { withNameProbe } from "../src/name_probe.ts";
import { assertEquals } from "./assert.ts";
import { foldingLstat } from "./case_insensitive_fs.ts";
import { tempDir } from "./mirror_helpers.ts";

for (const folding of [false, true]) {
  Deno.test(`local → store delete check: the source root's probe writes nothing there (${folding ? "folding" : "case-sensitive"} file system)`, async () => {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "a");
    // Every look the probe makes also lists the source root.
    const seen: string[] = [];
    const lstat = (path: string) => {
      for (const entry of Deno.readDirSync(src)) {
        if (isTempName(entry.name)) seen.push(entry.name);
      }
      return folding ? foldingLstat(path) : Deno.lstatSync(path);
    };
    const found = await withFsPlatform(
      { caseInsensitive: !folding },
      () => withNameProbe({ lstat }, () => fileOfKey([{ dir: src, base: "" }], "a.txt")),
    );
    assertEquals(seen, []);
    assertEquals(found, join(src, "a.txt"));
    assertEquals([...Deno.readDirSync(src)].map((e) => e.name), ["a.txt"]);
  });
}
