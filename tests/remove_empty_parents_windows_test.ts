// Which emptied directories a delete removes (`removeEmptyParents`: a store →
// local `vc mirror --delete`, the cache's own removals). On Windows a walk's
// paths join `/` to a root Windows spells with `\` (`C:\data/sub/a.csv`):
// a comparison with the root spelled `C:\data\` took no such directory for
// one below it, so every directory a mirror's deletes emptied stayed (and a
// key `sub` could then never be written as a file there). Run on Linux with
// `os: "windows"`: this proves the path logic, not Windows' file system.
import { assertEquals } from "./assert.ts";
import { parentsBelow } from "../src/path.ts";
import { removeEmptyParents } from "../src/cache/cache_fs.ts";

const win = { os: "windows" as const, caseInsensitive: true };

Deno.test("parentsBelow (Windows logic): a walk's mixed separators, deepest first, the root kept", () => {
  assertEquals(parentsBelow("C:\\data/sub/deeper", "C:\\data", win), [
    "C:\\data/sub/deeper",
    "C:\\data/sub",
  ]);
  assertEquals(parentsBelow("C:\\data\\sub\\deeper\\", "C:\\data\\", win), [
    "C:\\data\\sub\\deeper",
    "C:\\data\\sub",
  ]);
  // The drive letter and names in another case are the same directory there.
  assertEquals(parentsBelow("c:\\DATA/sub", "C:\\data", win), ["c:\\DATA/sub"]);
  assertEquals(parentsBelow("\\\\srv\\share/a/b", "\\\\srv\\share", win), [
    "\\\\srv\\share/a/b",
    "\\\\srv\\share/a",
  ]);
  assertEquals(parentsBelow("C:\\data", "C:\\data", win), []);
  assertEquals(parentsBelow("C:\\other/sub", "C:\\data", win), []);
});

Deno.test("parentsBelow (POSIX): a backslash is part of a name", () => {
  const linux = { os: "linux" as const, caseInsensitive: false };
  assertEquals(parentsBelow("/r/a\\b/c", "/r", linux), ["/r/a\\b/c", "/r/a\\b"]);
  assertEquals(parentsBelow("/r/a//b/", "/r", linux), ["/r/a//b", "/r/a"]);
  assertEquals(parentsBelow("/r", "/r", linux), []);
  assertEquals(parentsBelow("/rx/a", "/r", linux), []);
});

Deno.test("removeEmptyParents: removes the emptied directories up to the root, not a non-empty one", async () => {
  const root = await Deno.makeTempDir({ prefix: "remove-empty-parents-" });
  try {
    await Deno.mkdir(`${root}/keep/sub/deeper`, { recursive: true });
    await Deno.writeTextFile(`${root}/keep/other.csv`, "x");
    await removeEmptyParents(root, `${root}/keep/sub/deeper`);
    assertEquals([...Deno.readDirSync(`${root}/keep`)].map((e) => e.name), ["other.csv"]);
    // A root spelt with a trailing separator, a path with a `.` segment: the same directories.
    await Deno.mkdir(`${root}/keep/sub2/deeper`, { recursive: true });
    await removeEmptyParents(`${root}/`, `${root}/keep/./sub2/deeper`);
    assertEquals([...Deno.readDirSync(`${root}/keep`)].map((e) => e.name), ["other.csv"]);
    // The cache's own roots stay, even empty.
    await Deno.mkdir(`${root}/.meta/s3`, { recursive: true });
    await removeEmptyParents(root, `${root}/.meta/s3`);
    assertEquals([...Deno.readDirSync(root)].map((e) => e.name).sort(), [".meta", "keep"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
