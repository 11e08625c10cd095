/**
 * A key whose file name is a version's but whose path vc cannot read (a
 * script's doubled slash, `data//x.1.0.0.csv`; a `..` or `.` segment; a
 * control character) is never listed, as no versioned path names it. It is
 * not passed over in silence either: `lsRemote` names such keys in one
 * warning, with why each is none, so a bucket holding `data//x.1.0.0.csv`
 * does not look as if `/data/x.csv` never had a 1.0.0.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { unreadableVersionedKey } from "../src/versioned/naming.ts";
import { pinnedOnS3, tempDir } from "./versioned_helpers.ts";

Deno.test("unreadableVersionedKey: a version's file name under a path vc cannot read", () => {
  const of = (key: string) => {
    const found = unreadableVersionedKey(key);
    return found === undefined ? undefined : `${found.version}: ${found.problem}`;
  };
  assertEquals(of("data//x.1.0.0.csv"), "1.0.0: it contains an empty segment (//)");
  assertEquals(of("data/../x.3.0.0.csv"), "3.0.0: it contains a .. segment");
  assertEquals(of("data/./x.5.0.0.csv"), "5.0.0: it contains a . segment");
  assertEquals(of("data/x\t.4.0.0.csv"), "4.0.0: it contains a control character");
  assertEquals(of("d\x1b[2J/x.2.0.0-rc.1.csv"), "2.0.0-rc.1: it contains a control character");
  // A Windows script's key (`os.path.join`): its directories joined by backslashes.
  const backslash = "2.0.0: it contains a backslash; use / between directories";
  assertEquals(of("data\\x.2.0.0.csv"), backslash);
  assertEquals(of("win\\data\\x.2.0.0.csv"), backslash);
  assertEquals(of("data/sub\\x.2.0.0.csv"), backslash);
  // Versions, and keys that are no version's in any spelling.
  for (
    const key of ["data/x.1.0.0.csv", "/data/x.1.0.0.csv", "photo.2024.01.05.jpg", "d//notes.txt"]
  ) {
    assertEquals(of(key), undefined, key);
  }
  // Named by their own warnings: a leftover, another tool's spelling.
  assertEquals(of("d//x.1.0.0.csv.bak"), undefined);
  assertEquals(of("d/x.1.0.0+ci.7.csv"), undefined);
});

Deno.test("lsRemote names the version-shaped keys it cannot list in one warning", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"] });
  await using dir = await tempDir("vc_ls_remote_unreadable_");
  for (
    const key of [
      "data/x.2.0.0.csv",
      "data//x.1.0.0.csv",
      "data/../x.3.0.0.csv",
      "esc/t\x1b]0;T\x07.1.0.0.csv",
    ]
  ) {
    await s3.putObject("vb", key, new TextEncoder().encode("x"));
  }
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, {});
  const warnings: Array<{ key?: string; message: string }> = [];
  const rows = await pinned.vc.lsRemote({ onWarning: (w) => warnings.push(w) });
  assertEquals(rows, [{ path: "/data/x.csv", versions: ["2.0.0"] }]);
  assertEquals(warnings.length, 1, JSON.stringify(warnings));
  const message = warnings[0]!.message;
  assertStringIncludes(message, "3 keys");
  assertStringIncludes(message, "data//x.1.0.0.csv (1.0.0: it contains an empty segment (//))");
  assertStringIncludes(message, "data/../x.3.0.0.csv (3.0.0: it contains a .. segment)");
  assertStringIncludes(message, "esc/t\x1b]0;T\x07.1.0.0.csv");
  // The first in key order (S3's, UTF-8 bytes: `.` before `/`).
  assert(warnings[0]!.key === "data/../x.3.0.0.csv", JSON.stringify(warnings[0]));
});

Deno.test("lsRemote names a version's key whose directories a backslash joins", async () => {
  await using s3 = await startFakeS3({ buckets: ["vb"] });
  await using dir = await tempDir("vc_ls_remote_backslash_");
  for (const key of ["data/x.1.0.0.csv", "data\\x.2.0.0.csv"]) {
    await s3.putObject("vb", key, new TextEncoder().encode("x"));
  }
  await using pinned = await pinnedOnS3(s3, "vb", dir.path, {});
  const warnings: Array<{ key?: string; message: string }> = [];
  const rows = await pinned.vc.lsRemote({ onWarning: (w) => warnings.push(w) });
  assertEquals(rows, [{ path: "/data/x.csv", versions: ["1.0.0"] }]);
  assertEquals(warnings.length, 1, JSON.stringify(warnings));
  assertStringIncludes(warnings[0]!.message, "data\\x.2.0.0.csv (2.0.0: it contains a backslash");
});
