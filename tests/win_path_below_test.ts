// "Is this path inside that directory" on Windows and macOS: `\` separates
// on Windows, and letter case does not tell two names apart where the file
// system ignores it. Run on Linux with `os: "windows"` and
// `fsPlatform.caseInsensitive`: this proves the comparison, not how those
// file systems fold names.
import { assertEquals, assertThrows } from "./assert.ts";
import { isInside, pathBelow } from "../src/path.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { sourceBase } from "../src/mirror/keys.ts";

const win = { os: "windows" as const, caseInsensitive: true };

Deno.test("pathBelow (Windows logic): backslashes, mixed separators, drive letter case", () => {
  assertEquals(pathBelow("C:\\srv\\data\\2024", "C:\\srv", win), "data\\2024");
  assertEquals(pathBelow("C:\\srv\\data", "C:\\srv\\", win), "data");
  assertEquals(pathBelow("c:\\SRV\\data", "C:/srv", win), "data");
  assertEquals(pathBelow("C:\\srv", "c:\\srv\\", win), "");
  assertEquals(pathBelow("C:\\x", "C:\\", win), "x");
  assertEquals(pathBelow("\\\\host\\share\\a\\b", "\\\\HOST\\share", win), "a\\b");
  assertEquals(pathBelow("C:\\srvx\\a", "C:\\srv", win), undefined);
  assertEquals(pathBelow("D:\\srv\\a", "C:\\srv", win), undefined);
  assertEquals(pathBelow("C:\\Straße\\a", "c:\\STRASSE", win), undefined);
  assertEquals(pathBelow("C:\\Été\\a", "c:\\été", win), "a");
});

Deno.test("pathBelow (POSIX): exact, and a backslash is part of a name", () => {
  const linux = { os: "linux" as const, caseInsensitive: false };
  assertEquals(pathBelow("/a/b/c", "/a/b", linux), "c");
  assertEquals(pathBelow("/a/b/c", "/a/b/", linux), "c");
  assertEquals(pathBelow("/a/b", "/a/b", linux), "");
  assertEquals(pathBelow("/x", "/", linux), "x");
  assertEquals(pathBelow("/A/b/c", "/a/b", linux), undefined);
  assertEquals(pathBelow("/a\\b/c", "/a", linux), undefined);
  assertEquals(pathBelow("/a/bc", "/a/b", linux), undefined);
});

Deno.test("mirror --source-prefix (case-insensitive logic): a prefix spelt in another case still holds the source", async () => {
  await withFsPlatform({ caseInsensitive: true }, () => {
    assertEquals(sourceBase("/srv/Data/2024", "/srv/data"), "2024/");
    assertEquals(sourceBase("/SRV/data", "/srv/data/"), "");
  });
  await withFsPlatform({ caseInsensitive: false }, () => {
    assertThrows(() => sourceBase("/srv/Data/2024", "/srv/data"), Error, "not inside");
  });
});

Deno.test("mirror state file inside the mirrored dir (case-insensitive logic): found whatever the case", async () => {
  await withFsPlatform({ caseInsensitive: true }, () => {
    assertEquals(isInside("/Users/me/Data/.vc-state.sqlite", "/Users/me/data"), true);
    assertEquals(isInside("/Users/me/data", "/Users/me/Data"), false);
  });
});

Deno.test("vc get/sync DEST in the cache dir (Windows logic): found whatever the separators and case", () => {
  const cache = "C:\\Users\\me\\AppData\\Local\\vc\\Cache";
  assertEquals(
    isInside("c:/users/me/appdata/local/vc/cache/s3/b/x.csv", cache),
    false,
    "default os",
  );
  assertEquals(
    pathBelow("c:/users/me/appdata/local/VC/cache/s3/b/x.csv", cache, win),
    "s3/b/x.csv",
  );
  assertEquals(pathBelow("C:\\Users\\me\\AppData\\Local\\vc\\Cache2\\x", cache, win), undefined);
});
