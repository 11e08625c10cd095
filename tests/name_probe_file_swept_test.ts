/**
 * The name probe's temp file removed under it (another host's sweep of a
 * shared cache dir: a pid of this host means nothing there, and the file is
 * not locked) told nothing, so the OS default stood: on a case-insensitive
 * mount under Linux, or a case-sensitive volume on macOS, that process used
 * the other layout from everyone else's. The probe now tries again with a
 * new temp file.
 */
import { basename } from "node:path";
import { isTempName } from "../src/atomic_write.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { namesFoldIn, withNameProbe } from "../src/name_probe.ts";
import { assertEquals } from "./assert.ts";
import { foldingLstat } from "./case_insensitive_fs.ts";

Deno.test("name probe: its temp file swept away at the first look, a second one answers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_name_probe_swept_" });
  try {
    let swept = 0;
    const lstat = (path: string) => {
      if (swept === 0) {
        // Another process's sweep, between the create and the first look.
        for (const e of Deno.readDirSync(dir)) {
          if (isTempName(e.name)) {
            Deno.removeSync(`${dir}/${e.name}`);
            swept++;
          }
        }
      }
      return foldingLstat(path);
    };
    const folds = await withFsPlatform(
      { caseInsensitive: false },
      () => withNameProbe({ lstat }, () => namesFoldIn(dir)),
    );
    assertEquals(swept, 1);
    assertEquals(folds, true, "the OS default stood for a folding directory");
    assertEquals([...Deno.readDirSync(dir)].map((e) => basename(e.name)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
