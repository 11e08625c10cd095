// src/path.ts against node:path / node:url (posix) on many inputs.
import { posix, win32 } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assertEquals, assertThrows } from "./assert.ts";
import {
  basename,
  dirname,
  fromFileUrl,
  isAbsolute,
  join,
  relative,
  resolve,
  toFileUrl,
  win32Join,
  win32Root,
} from "../src/path.ts";

const posixOnly = { ignore: Deno.build.os === "windows" }; // there the module is node's own

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "///a",
  "a",
  "a/",
  "/a",
  "/a/",
  "a/b/c",
  "/a/b/c.txt",
  "/a/./b/../c//d/",
  "../../x",
  "a/../..",
  "/..",
  "/../a/..",
  "./a/.b/..c/...",
  "/srv/a b/#1?.txt",
  "/é/ü%20/x",
  "a//b",
  ".hidden",
  "/x/.y.vc-tmp-1-abcdefgh",
];

Deno.test({
  name: "path: join, resolve, dirname, basename, isAbsolute match node posix",
  ...posixOnly,
  fn() {
    for (const a of PATHS) {
      assertEquals(dirname(a), posix.dirname(a), `dirname ${a}`);
      assertEquals(basename(a), posix.basename(a), `basename ${a}`);
      assertEquals(basename(a, ".txt"), posix.basename(a, ".txt"), `basename ${a} .txt`);
      assertEquals(isAbsolute(a), posix.isAbsolute(a), `isAbsolute ${a}`);
      assertEquals(resolve(a), posix.resolve(a), `resolve ${a}`);
      for (const b of PATHS) {
        assertEquals(join(a, b), posix.join(a, b), `join ${a} ${b}`);
        assertEquals(resolve(a, b), posix.resolve(a, b), `resolve ${a} ${b}`);
        assertEquals(relative(a, b), posix.relative(a, b), `relative ${a} ${b}`);
      }
    }
    assertEquals(join(), posix.join());
    assertEquals(join("a", "b", "../c", "d/"), posix.join("a", "b", "../c", "d/"));
  },
});

Deno.test({
  name: "path: file URLs match node:url",
  ...posixOnly,
  fn() {
    for (const p of PATHS.filter((p) => p !== "")) {
      assertEquals(toFileUrl(p).href, pathToFileURL(p).href, `toFileUrl ${p}`);
      const url = pathToFileURL(p).href;
      assertEquals(fromFileUrl(url), fileURLToPath(url), `fromFileUrl ${url}`);
      assertEquals(fromFileUrl(new URL(url)), fileURLToPath(new URL(url)));
    }
    // Trailing spaces and control characters: URL string parsing drops them.
    for (
      const p of [
        "/a\\b",
        "/tab\there",
        "/nl\nx",
        "/100%",
        "/q?x#y",
        "/a ",
        "/d /x",
        "/c\x01",
        "/v\x0b ",
      ]
    ) {
      assertEquals(toFileUrl(p).href, pathToFileURL(p).href, `toFileUrl ${JSON.stringify(p)}`);
    }
    assertThrows(() => fromFileUrl("s3://b/k"), TypeError);
    assertThrows(() => fromFileUrl("file://host/x"), TypeError);
    assertThrows(() => fromFileUrl("file:///a%2Fb"), TypeError);
  },
});

Deno.test("path: win32Join and win32Root match node's win32", () => {
  const cases = [
    ["C:\\Users\\me", "AppData", "Local"],
    ["C:\\Users\\me\\", "AppData\\Roaming"],
    ["C:/Users/me", "vc", "Cache"],
    ["\\\\server\\share\\home", "vc"],
    ["C:\\a", "..", "b"],
    ["D:\\x\\.\\y", "z"],
    // A later drive is no root: the path stays relative (not the drive root `c:\`).
    [".", "c:/"],
    ["..", "C:\\", "\\"],
    // A bare UNC root keeps its separator; a leading `\` is no UNC root.
    ["\\\\srv\\share"],
    ["\\", "c:/", "//srv/share/"],
    ["C:"],
  ];
  for (const c of cases) assertEquals(win32Join(...c), win32.join(...c), `win32Join ${c}`);
  // What those mean, spelled out (a repository store on a share: file://srv/share).
  assertEquals(win32Join(".", "c:/"), ".\\c:\\");
  assertEquals(win32Join("\\\\srv\\share"), "\\\\srv\\share\\");
  assertEquals(win32Join("\\\\srv\\share", ".vc~repo.sqlite"), "\\\\srv\\share\\.vc~repo.sqlite");
  for (
    const p of [
      "C:\\data\\x",
      "C:",
      "c:/x",
      "\\\\host\\share\\x",
      "\\\\host\\share",
      "\\x",
      "rel\\x",
      "//h/s/x",
    ]
  ) {
    assertEquals(win32Root(p), win32.parse(p).root, `win32Root ${p}`);
  }
});

// On Windows path.ts defers to node:path and node:url, loaded on first use
// with process.getBuiltinModule (synchronous: no top-level await, see
// warm_path_imports_test.ts). The mechanism, checked on every platform.
Deno.test("path: node:path and node:url load synchronously where path.ts needs them", async () => {
  const process = (globalThis as unknown as {
    process: { getBuiltinModule(id: string): unknown };
  }).process;
  const nodePath = process.getBuiltinModule("node:path") as typeof import("node:path");
  const nodeUrl = process.getBuiltinModule("node:url") as typeof import("node:url");
  assertEquals(nodePath.win32.join("C:\\a", "b"), "C:\\a\\b");
  assertEquals(nodePath.join, (await import("node:path")).join);
  assertEquals(
    nodeUrl.fileURLToPath("file:///a/b"),
    (await import("node:url")).fileURLToPath("file:///a/b"),
  );
});

Deno.test({
  name:
    "path: resolve of one absolute path (its normal form handed back as it is) matches node posix, every short path",
  ...posixOnly,
  fn() {
    // Every absolute path of up to 8 characters over `/`, `.`, `a`: empty,
    // `.` and `..` segments, `.a`/`..a` names, trailing separators. The
    // cache's inside-its-dir check before every write rests on it.
    let paths = ["/"];
    for (let length = 2; length <= 8; length++) {
      const longer: string[] = [];
      for (const p of paths) {
        for (const c of ["/", ".", "a"]) {
          const q = p + c;
          assertEquals(resolve(q), posix.resolve(q), `resolve ${q}`);
          longer.push(q);
        }
      }
      paths = longer;
    }
  },
});
