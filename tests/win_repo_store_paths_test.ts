// A directory repository on Windows: the local paths vc derives from its
// store URL (`file:///C:/repo`, `file://srv/share/repo`) were its URL path
// (`/C:/repo`, `/share/repo`): the default SQLite catalog went to
// `/C:/repo/.vc~repo.sqlite` (no such path on Windows; for a share, a
// directory on the current drive), the catalog-in-content check and the
// nested-repository check never matched. Run on Linux with `os: "windows"`:
// this proves vc's logic, not Windows' own path rules.
import { assertEquals, assertThrows } from "./assert.ts";
import { fromFileUrl } from "../src/path.ts";
import { catalogInContent, defaultCatalogPath } from "../src/repo/setup.ts";
import { enclosingDirs } from "../src/repo/nesting.ts";
import { withFsPlatform } from "../src/fs_platform.ts";

Deno.test("file URLs read as Windows reads them: drive letters and UNC shares", () => {
  assertEquals(fromFileUrl("file:///C:/repo/a%20b", "windows"), "C:\\repo\\a b");
  assertEquals(fromFileUrl("file://srv/share/repo", "windows"), "\\\\srv\\share\\repo");
  assertThrows(() => fromFileUrl("file:///repo", "windows"), TypeError, "absolute");
  assertThrows(() => fromFileUrl("file:///C:/a%5Cb", "windows"), TypeError, "encoded");
  assertEquals(fromFileUrl("file:///C:/repo", "linux"), "/C:/repo");
});

Deno.test("a directory repository's default catalog lies in its directory, on Windows too", () => {
  assertEquals(defaultCatalogPath("file:///C:/repo", "windows"), "C:\\repo\\.vc~repo.sqlite");
  assertEquals(
    defaultCatalogPath("file://srv/share/repo", "windows"),
    "\\\\srv\\share\\repo\\.vc~repo.sqlite",
  );
  assertEquals(defaultCatalogPath("file:///srv/repo", "linux"), "/srv/repo/.vc~repo.sqlite");
});

Deno.test("a catalog inside the content is found on Windows, whatever the spelling", async () => {
  await withFsPlatform({ caseInsensitive: true }, () => {
    const url = "file:///C:/repo";
    assertEquals(
      catalogInContent(url, "c:/Repo/Content/c.sqlite", "content/", "windows"),
      "C:\\repo\\content\\",
    );
    assertEquals(catalogInContent(url, "C:\\repo\\c.sqlite", "content/", "windows"), undefined);
    assertEquals(
      catalogInContent(url, "C:\\repo\\contents.sqlite", "content/", "windows"),
      undefined,
    );
  });
});

Deno.test("the directories above a Windows store stop at its drive or share", () => {
  assertEquals(enclosingDirs("file:///C:/a/b", "windows"), [
    { dir: "C:\\a", rest: "b" },
    { dir: "C:\\", rest: "a/b" },
  ]);
  assertEquals(enclosingDirs("file://srv/share/a/b", "windows"), [
    { dir: "\\\\srv\\share\\a", rest: "b" },
    { dir: "\\\\srv\\share\\", rest: "a/b" },
  ]);
});
