import { assert, assertEquals, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import {
  isVersionOf,
  normalizeVersionedPath,
  parseVersionedKey,
  versionedKey,
  versionPrefix,
} from "../src/versioned/naming.ts";

const TABLE: Array<[path: string, version: string, key: string]> = [
  ["/foo/bar.csv", "1.2.5", "foo/bar.1.2.5.csv"],
  ["foo/bar.csv", "1.2.5", "foo/bar.1.2.5.csv"],
  ["/a/b.tar.gz", "1.2.5", "a/b.tar.1.2.5.gz"],
  ["/x", "1.2.5", "x.1.2.5"],
  ["/dir/x", "0.0.0", "dir/x.0.0.0"],
  ["/dots.in.name.ext", "0.14.6", "dots.in.name.0.14.6.ext"],
  ["/.env", "1.0.0", ".env.1.0.0"],
  ["/d/.cfg.json", "2.0.10", "d/.cfg.2.0.10.json"],
  ["/..hidden", "1.0.0", "..hidden.1.0.0"],
  ["/bar.1.0.0.csv", "2.0.0", "bar.1.0.0.2.0.0.csv"],
  ["/v/1.2.3", "4.5.6", "v/1.2.4.5.6.3"],
  ["/deep/er/päth with space.JSON", "10.20.30", "deep/er/päth with space.10.20.30.JSON"],
  // Pre-releases: their identifiers may hold dots, the key still reads back as one version.
  ["/foo/bar.csv", "2.0.0-rc.1", "foo/bar.2.0.0-rc.1.csv"],
  ["/a/b.tar.gz", "1.0.0-beta.2", "a/b.tar.1.0.0-beta.2.gz"],
  ["/x", "1.0.0-rc.1", "x.1.0.0-rc.1"],
  ["/x", "1.0.0-0.3.7", "x.1.0.0-0.3.7"],
  ["/a.1.csv", "2.3.4-rc", "a.1.2.3.4-rc.csv"],
];

Deno.test("versionedKey puts the version before the last extension", () => {
  for (const [path, version, key] of TABLE) {
    assertEquals(versionedKey(path, version), key, `${path}@${version}`);
  }
});

Deno.test("parseVersionedKey inverts versionedKey, with or without a leading slash", () => {
  for (const [path, version, key] of TABLE) {
    const expected = { path: normalizeVersionedPath(path), version };
    assertEquals(parseVersionedKey(key), expected, key);
    assertEquals(parseVersionedKey(`/${key}`), expected, `/${key}`);
    assert(isVersionOf(key, path), `${key} is a version of ${path}`);
  }
});

Deno.test("parseVersionedKey rejects keys that are not versioned assets", () => {
  for (
    const key of [
      "foo/bar.csv",
      "bar.1.0.0.csv.bak",
      "bar.1.0.csv",
      "bar.01.0.0.csv",
      "bar.v1.0.0.csv",
      "bar.1.0.0-rc.01.csv",
      "bar.1.0.0+b.csv",
      "bar.1.0.0-.csv",
      "1.0.0",
      ".1.0.0",
      "x.1.0.0.",
      "dir/",
      "",
      "a//b.1.0.0.csv",
      "../b.1.0.0.csv",
      "bar.99999999999999999.0.0.csv",
    ]
  ) {
    assertEquals(parseVersionedKey(key), undefined, key);
  }
});

Deno.test("isVersionOf matches the exact name, not a prefix", () => {
  assert(isVersionOf("bar.5.0.0.csv", "/bar.csv"));
  assert(!isVersionOf("barbell.5.0.0.csv", "/bar.csv"));
  assert(!isVersionOf("bar.1.0.0.csv.bak", "/bar.csv"));
  assert(!isVersionOf("bar.5.0.0.json", "/bar.csv"));
  assert(!isVersionOf("bar.old.5.0.0.csv", "/bar.csv"));
  assert(!isVersionOf("sub/bar.5.0.0.csv", "/bar.csv"));
  assert(!isVersionOf("bar.5.0.0", "/bar.csv"));
  assert(isVersionOf("bar.5.0.0", "/bar"));
  assert(!isVersionOf("bar.5.0.0.csv", "/bar"));
});

Deno.test("versionPrefix is the listing prefix of every version", () => {
  assertEquals(versionPrefix("/foo/bar.csv"), "foo/bar.");
  assertEquals(versionPrefix("/a/b.tar.gz"), "a/b.tar.");
  assertEquals(versionPrefix("/x"), "x.");
  assertEquals(versionPrefix("/.env"), ".env.");
  for (const [path, version, key] of TABLE) {
    assert(key.startsWith(versionPrefix(path)), `${key} starts with prefix of ${path}@${version}`);
  }
});

Deno.test("invalid paths and versions are rejected with InvalidInputError naming them", () => {
  const bad: Array<[string, string]> = [
    ["", "empty"],
    ["/", "empty"],
    ["/foo/../bar.csv", ".."],
    ["../bar.csv", ".."],
    ["/foo/./bar.csv", "."],
    ["/foo//bar.csv", "empty segment"],
    ["/foo/bar\0.csv", "control"],
    ["/foo\\bar.csv", "backslash"],
    ["/foo/", "ends with /"],
    ["/foo/bar.", "ends with a dot"],
  ];
  for (const [path, why] of bad) {
    const e = assertThrows(() => versionedKey(path, "1.0.0"), InvalidInputError, why);
    assert(e.message.includes(JSON.stringify(path)), e.message);
  }
  for (const version of ["1.2", "v1.2.3", "01.2.3", "1.2.3+b", "1.2.3-rc.01", "1.2.3.4", ""]) {
    assertThrows(() => versionedKey("/a.csv", version), InvalidInputError, "/a.csv");
  }
});

Deno.test("a pre-release whose key would read as another path's version is refused", () => {
  // x.1.0.0-rc.1.csv is /x.csv at 1.0.0-rc.1: /x cannot have that key too.
  assertThrows(
    () => versionedKey("/x", "1.0.0-rc.1.csv"),
    InvalidInputError,
    "reads as /x.csv at 1.0.0-rc.1",
  );
  assertThrows(
    () => versionedKey("/x.1", "1.0.0-rc"),
    InvalidInputError,
    "reads as /x at 1.0.0-rc.1",
  );
  assert(isVersionOf("x.1.0.0-rc.1.csv", "/x.csv"));
  assert(!isVersionOf("x.1.0.0-rc.1.csv", "/x"));
});
