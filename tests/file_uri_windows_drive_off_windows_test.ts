/**
 * A `file://` URI of a Windows drive (`file:///C:/backup`: a manifest's
 * bucket written on Windows, read in a Linux CI job; a command pasted from a
 * Windows colleague) is, on Linux and macOS, the directory `/C:/backup` at
 * the root of the file system: `vc mirror ./src file:///C:/backup` made it
 * (as root) and uploaded there, and a bucket setting took it without a word.
 * Refused off Windows, naming the drive, as a pasted `C:\data` path is. A
 * path whose first directory really is named `C:` gets a URI with that colon
 * escaped (`file:///C%3A/…`), which is no drive's.
 */
import { assertEquals, assertMatch, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { fileUriDriveProblem, formatUri, parseStoreRoot, parseUri } from "../src/uri.ts";
import { normalizeBucket } from "../src/config.ts";
import { toFileUrl } from "../src/path.ts";

// On Windows the drive is the point of such a URI (the second test covers that branch).
const ON_WINDOWS = Deno.build.os === "windows";

const DRIVE_URIS = [
  "file:///C:/backup",
  "file:///c:/data/x.csv",
  "file://localhost/D:/x",
  "file:///C:",
  "file:///C|/data",
  "FILE:///C:/data",
];

Deno.test("fileUriDriveProblem: a drive's file URI is refused off Windows only", () => {
  for (const os of ["linux", "darwin"] as const) {
    for (const uri of DRIVE_URIS) {
      const why = fileUriDriveProblem(uri, os) ?? "";
      assertMatch(why, /names the Windows drive [A-Z]:/, uri);
      assertStringIncludes(why, `this system is ${os}`);
    }
    assertMatch(fileUriDriveProblem("file:///C:/backup", os) ?? "", /it would be \/C:\/backup/);
    for (const uri of ["file:///srv/C:/x", "file:///CD:/x", "file:///C%3A/x", "file:///srv"]) {
      assertEquals(fileUriDriveProblem(uri, os), undefined, uri);
    }
  }
  for (const uri of DRIVE_URIS) assertEquals(fileUriDriveProblem(uri, "windows"), undefined, uri);
});

Deno.test({
  name: "parseUri, a store root and a bucket setting refuse a Windows drive's file URI off Windows",
  ignore: ON_WINDOWS,
}, () => {
  for (const uri of DRIVE_URIS) {
    assertThrows(() => parseUri(uri), InvalidInputError, "names the Windows drive");
    assertThrows(() => parseStoreRoot(uri), InvalidInputError, "names the Windows drive");
    const error = assertThrows(() => normalizeBucket(uri, "--bucket", "/work"), InvalidInputError);
    assertStringIncludes(error.message, "--bucket");
    assertStringIncludes(error.message, "names the Windows drive");
  }
});

Deno.test({
  name: "a path whose first directory is named C: keeps a file URI that parses back to it",
  ignore: ON_WINDOWS,
}, () => {
  const url = toFileUrl("/C:/data/x.csv").href;
  assertEquals(url, "file:///C%3A/data/x.csv");
  assertEquals(parseUri(url), { scheme: "file", path: "/C:/data/x.csv" });
  assertEquals(formatUri(parseUri(url)), url);
  // A bucket given as that path, or as the escaped URI, stays usable.
  assertEquals(normalizeBucket("/C:/assets", "--bucket", "/work"), "file:///C%3A/assets");
  assertEquals(normalizeBucket("file:///C%3A/assets", "--bucket", "/work"), "file:///C%3A/assets");
  // Only the first directory's colon: elsewhere a colon names no drive.
  assertEquals(toFileUrl("/srv/C:/x").href, "file:///srv/C:/x");
  assertEquals(parseUri(toFileUrl("/C|/x").href), { scheme: "file", path: "/C|/x" });
});

Deno.test({
  name: "a bucket setting refuses a backslash in a file URI off Windows, as parseUri does",
  ignore: ON_WINDOWS,
}, () => {
  // It was read as "/": the bucket file:///d/a\b was file:///d/a/b, another directory.
  const error = assertThrows(
    () => normalizeBucket("file:///d/a\\b", "VC_BUCKET", "/work"),
    InvalidInputError,
  );
  assertStringIncludes(error.message, "VC_BUCKET");
  assertStringIncludes(error.message, "%5C");
  assertEquals(normalizeBucket("file:///d/a%5Cb", "VC_BUCKET", "/work"), "file:///d/a%5Cb");
});

Deno.test({
  name: "a mistyped file URI of a Windows drive is not answered with a form refused in turn",
  ignore: ON_WINDOWS,
}, () => {
  // `file:/C:/x` was told "did you mean file:///C:/x?", and `file:C:/x` "did
  // you mean the path "C:/x"?": each refused as a Windows drive's once given.
  for (
    const [uri, why] of [["file:/C:/x", "names the Windows drive C:"], [
      "file:C:/x",
      '"C:/x" is a Windows path',
    ], ["file:C:\\x", '"C:\\\\x" is a Windows path']]
  ) {
    for (
      const message of [
        assertThrows(() => parseUri(uri!), InvalidInputError).message,
        assertThrows(() => normalizeBucket(uri!, "--bucket", "/work"), InvalidInputError).message,
      ]
    ) {
      assertStringIncludes(message, why!);
      assertEquals(message.includes("did you mean"), false, message);
    }
  }
  // A mistyped URI of this system's path is still answered with the one meant.
  assertThrows(() => parseUri("file:/srv/x"), InvalidInputError, "did you mean file:///srv/x?");
});
