// `--catalog sqlite:PATH` on Windows: an absolute path there starts with a
// drive or `\\server\share`, not `/`. Run on Linux with `os: "windows"`:
// this proves the path logic, not Windows' own resolution.
import { assertEquals, assertThrows } from "./assert.ts";
import { parseCatalogRef } from "../src/repo/marker.ts";

const ref = (text: string, cwd = "C:\\work") => parseCatalogRef(text, "h", cwd, "windows");

Deno.test("catalog path (Windows logic): a drive or UNC path is kept, not put under the cwd", () => {
  assertEquals(ref("sqlite:C:\\data\\c.sqlite"), {
    kind: "sqlite",
    path: "C:\\data\\c.sqlite",
    host: "h",
  });
  assertEquals(ref("sqlite:D:/data/c.sqlite"), {
    kind: "sqlite",
    path: "D:/data/c.sqlite",
    host: "h",
  });
  assertEquals(ref("sqlite:\\\\srv\\share\\c.sqlite"), {
    kind: "sqlite",
    path: "\\\\srv\\share\\c.sqlite",
    host: "h",
  });
  assertEquals(ref("sqlite:///C:/data/c.sqlite"), {
    kind: "sqlite",
    path: "C:/data/c.sqlite",
    host: "h",
  });
});

Deno.test("catalog path (Windows logic): a relative path joins the cwd with backslashes", () => {
  assertEquals(ref("sqlite:cat\\c.sqlite"), {
    kind: "sqlite",
    path: "C:\\work\\cat\\c.sqlite",
    host: "h",
  });
  assertEquals(ref("sqlite:c.sqlite", "C:\\work\\"), {
    kind: "sqlite",
    path: "C:\\work\\c.sqlite",
    host: "h",
  });
});

Deno.test("catalog path (Windows logic): a drive-relative path (C:x) is refused", () => {
  assertThrows(() => ref("sqlite:C:c.sqlite"), Error, "drive's current directory");
});

Deno.test("catalog path (POSIX): unchanged", () => {
  assertEquals(parseCatalogRef("sqlite:c.sqlite", "h", "/work", "linux"), {
    kind: "sqlite",
    path: "/work/c.sqlite",
    host: "h",
  });
  assertEquals(parseCatalogRef("sqlite:///srv/c.sqlite", "h", "/work", "linux"), {
    kind: "sqlite",
    path: "/srv/c.sqlite",
    host: "h",
  });
});
