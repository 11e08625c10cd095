/**
 * Where a cache dir's file system folds names it may also make 8.3 short
 * names (a vfat stick or an NTFS or SMB mount on Linux, as on Windows):
 * there `report~1.csv` opens `reportcard.csv`, so the cache escapes the `~`
 * of such a name (`report%7E1.csv`) whenever names fold, not only on
 * Windows; a download of one key would otherwise replace another's copy.
 * Run on Linux with the cache dir's name probe answering as a folding file
 * system does (`withCaseInsensitiveFs`): this proves the layout, not vfat.
 */
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";
import { CacheLayout, encodeSegment } from "../src/cache/layout.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { assertEquals } from "./assert.ts";

Deno.test("encodeSegment escapes an 8.3 short name's ~ where names fold, off Windows too", async () => {
  await withFsPlatform({ windowsNames: false }, () => {
    assertEquals(encodeSegment("progra~1", true), "progra%7E1");
    assertEquals(encodeSegment("report~1.csv", true), "report%7E1.csv");
    // A case-sensitive file system (Linux's own) keeps the name as it was.
    assertEquals(encodeSegment("report~1.csv", false), "report~1.csv");
    assertEquals(encodeSegment("backup~2024.tar.gz", true), "backup~2024.tar.gz");
  });
});

Deno.test("CacheLayout on a folding cache dir: report~1.csv never names reportcard.csv's copy", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cache_short_name_" });
  try {
    await withFsPlatform({ windowsNames: false }, () =>
      withCaseInsensitiveFs(() => {
        const layout = new CacheLayout(dir);
        const at = (key: string) => layout.locate({ scheme: "s3", bucket: "b", key }).relPath;
        assertEquals(at("reportcard.csv"), "s3/b/reportcard.csv");
        assertEquals(at("report~1.csv"), "s3/b/report%7E1.csv");
      }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
