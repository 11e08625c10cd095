/**
 * Two teammates each `vc add` (or `vc update`) a path on their own branch of
 * one manifest. The manifest is sorted, one entry a line, and JSON puts a
 * comma on the line before a new last entry, so git's line merge called
 * nearly every such pair a conflict, in the manifest and in the lock file,
 * to be resolved by hand. `vc merge-driver`, set up as git's merge driver
 * for both files, merges them entry by entry: both sides' entries are kept,
 * and only what cannot be decided (a path both sides moved) is left between
 * conflict markers around that entry (exit 1).
 */
import { mergeVersionedFile } from "../src/versioned/merge.ts";
import { parseLockFile } from "../src/versioned/lock_file.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { repoWithMergeDriver } from "./git_run.ts";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

async function added(ws: CliWorkspace, path: string, text: string, ...more: string[]) {
  const file = await ws.write(`src${path}`, text);
  const r = await ws.vc(...more, path, file);
  assertEquals(r.code, 0, r.stderr);
}

Deno.test("git merge of two branches that each added a path: the driver merges manifest and lock file", async () => {
  await using ws = await CliWorkspace.create();
  const ok = await repoWithMergeDriver(ws.dir);
  await ws.write(".gitattributes", "versioned_assets*.json merge=vc\n");
  await added(ws, "/a.csv", "a\n", "add");
  await ok("add", ".gitattributes", "versioned_assets.json", "versioned_assets.lock.json");
  await ok("commit", "-qm", "base");
  await ok("checkout", "-qb", "alice");
  await added(ws, "/b.csv", "b\n", "add");
  await added(ws, "/a.csv", "a2\n", "update", "--minor");
  await ok("commit", "-qam", "alice");
  await ok("checkout", "-q", "main");
  await added(ws, "/c.csv", "c\n", "add");
  await ok("commit", "-qam", "bob");
  await ok("merge", "-q", "--no-edit", "alice");

  assertEquals(
    await ws.read("versioned_assets.json"),
    '{\n    "/a.csv": "1.1.0",\n    "/b.csv": "1.0.0",\n    "/c.csv": "1.0.0"\n}\n',
  );
  const lock = parseLockFile(await ws.read("versioned_assets.lock.json"), "lock");
  assertEquals(Object.keys(lock).sort(), [
    "/a.csv@1.0.0",
    "/a.csv@1.1.0",
    "/b.csv@1.0.0",
    "/c.csv@1.0.0",
  ]);
  const check = await ws.vc("lock", "--check");
  assertEquals(check.code, 0, check.stderr);
});

Deno.test("merge-driver: a path both sides moved to other versions is a conflict naming the higher", async () => {
  await using ws = await CliWorkspace.create();
  const base = await ws.write("base", '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0"\n}\n');
  const ours = await ws.write("ours", '{\n    "/a.csv": "1.0.1",\n    "/b.csv": "1.0.0"\n}\n');
  const theirs = await ws.write("theirs", '{\n    "/a.csv": "1.0.2",\n    "/b.csv": "1.1.0"\n}\n');
  const r = await ws.run(["merge-driver", base, ours, theirs]);
  assertEquals(r.code, 1, r.stderr);
  // Two edits, both published: neither is dropped unseen.
  assertStringIncludes(
    r.stdout,
    'conflict: /a.csv: "1.0.1" here, "1.0.2" there (both published: keep the one whose content is wanted, usually the higher, 1.0.2',
  );
  assertEquals(
    await ws.read("ours"),
    '{\n<<<<<<< ours (vc merge-driver)\n    "/a.csv": "1.0.1",\n=======\n    "/a.csv": "1.0.2",\n>>>>>>> theirs\n' +
      '    "/b.csv": "1.1.0"\n}\n',
  );
});

Deno.test("merge-driver: an override against a version is left between markers that vc refuses to read", async () => {
  await using ws = await CliWorkspace.create();
  const base = await ws.write("base", '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0"\n}\n');
  const ours = await ws.write("ours", '{\n    "/a.csv": "./a.csv",\n    "/b.csv": "1.0.0"\n}\n');
  const theirs = await ws.write(
    "theirs",
    '{\n    "/a.csv": "1.2.0",\n    "/b.csv": "1.0.0",\n    "/c.csv": "1.0.0"\n}\n',
  );
  const r = await ws.run(["merge-driver", base, ours, theirs]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stdout, 'conflict: /a.csv: "./a.csv" here, "1.2.0" there');
  assertEquals(
    await ws.read("ours"),
    '{\n<<<<<<< ours (vc merge-driver)\n    "/a.csv": "./a.csv",\n=======\n    "/a.csv": "1.2.0",\n>>>>>>> theirs\n' +
      '    "/b.csv": "1.0.0",\n    "/c.csv": "1.0.0"\n}\n',
  );
  await Deno.copyFile(ws.path("ours"), ws.path("versioned_assets.json"));
  const ls = await ws.vc("ls");
  assertEquals(ls.code, 1);
  assertStringIncludes(ls.stderr, "an unresolved merge conflict");
  // The driver's own conflict does not advise setting the driver up...
  assertEquals(ls.stderr.includes("set up `vc merge-driver`"), false, ls.stderr);
  // ...one git's line merge left names the driver that avoids the next one.
  await ws.write(
    "versioned_assets.json",
    '{\n<<<<<<< HEAD\n    "/a.csv": "1.0.1"\n=======\n    "/a.csv": "1.0.2"\n>>>>>>> b\n}\n',
  );
  const git = await ws.vc("ls");
  assertStringIncludes(git.stderr, "set up `vc merge-driver` as its merge driver");
});

Deno.test("merge-driver: a lock entry of other content on each side is a conflict; CRLF and BOM kept", () => {
  const line = (k: string, sha: string) => `  "${k}": {"size": 1, "sha256": "${sha}"}`;
  const file = (...lines: string[]) => `\ufeff{\r\n${lines.join(",\r\n")}\r\n}\r\n`;
  const base = file(line("/a.csv@1.0.0", SHA_A));
  const ours = file(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_A));
  const theirs = file(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_B));
  const m = mergeVersionedFile(base, ours, theirs, "l.json");
  assertEquals(m.kind, "lock");
  assertEquals(m.conflicts.length, 1);
  assertStringIncludes(m.conflicts[0]!, "/b.csv@1.0.0");
  assertEquals(
    m.text,
    `\ufeff{\r\n${line("/a.csv@1.0.0", SHA_A)},\r\n<<<<<<< ours (vc merge-driver)\r\n${
      line("/b.csv@1.0.0", SHA_A)
    }\r\n=======\r\n${line("/b.csv@1.0.0", SHA_B)}\r\n>>>>>>> theirs\r\n}\r\n`,
  );
  // Entries added on both sides, no conflict: kept in the file's style.
  const clean = mergeVersionedFile(
    base,
    ours,
    file(line("/a.csv@1.0.0", SHA_A), line("/c.csv@1.0.0", SHA_B)),
    "l.json",
  );
  assertEquals(clean.conflicts, []);
  assertEquals(
    clean.text,
    file(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_A), line("/c.csv@1.0.0", SHA_B)),
  );
});

Deno.test("merge-driver: a manifest both branches created (empty base) merges; a baiji-pod style file keeps its style", () => {
  const m = mergeVersionedFile(
    "",
    '{\n  "a.csv": "1.0.0"\n}',
    '{\n  "b.csv": "2.0.0"\n}',
    "m.json",
  );
  assertEquals(m.kind, "manifest");
  assertEquals(m.text, '{\n  "a.csv": "1.0.0",\n  "/b.csv": "2.0.0"\n}');
  assertEquals(m.conflicts, []);
  // A path one side removed and the other moved cannot be decided.
  const removed = mergeVersionedFile(
    '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0"\n}\n',
    '{\n    "/b.csv": "1.0.0"\n}\n',
    '{\n    "/a.csv": "1.1.0",\n    "/b.csv": "1.0.0"\n}\n',
    "m.json",
  );
  assertEquals(removed.conflicts, ['/a.csv: removed here, "1.1.0" there']);
  assertStringIncludes(
    removed.text,
    '<<<<<<< ours (vc merge-driver)\n=======\n    "/a.csv": "1.1.0",\n>>>>>>> theirs',
  );
});

Deno.test("merge-driver: a side vc cannot read is left whole between markers, not dropped", async () => {
  await using ws = await CliWorkspace.create();
  const base = await ws.write("base", '{\n    "/a.csv": "1.0.0"\n}\n');
  const ours = await ws.write("ours", '{\n    "/a.csv": "1.0.1",\n}\n');
  const theirs = await ws.write("theirs", '{\n    "/a.csv": "1.1.0"\n}\n');
  const r = await ws.run(["merge-driver", base, ours, theirs]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(
    r.stderr,
    "cannot merge entry by entry, both sides left whole between conflict markers",
  );
  assertStringIncludes(r.stderr, "a comma after the last entry");
  assertEquals(
    await ws.read("ours"),
    '<<<<<<< ours (vc merge-driver)\n{\n    "/a.csv": "1.0.1",\n}\n=======\n{\n    "/a.csv": "1.1.0"\n}\n>>>>>>> theirs\n',
  );
});

Deno.test("merge-driver: a side that is not UTF-8 is not rewritten with U+FFFD: both sides go whole between markers, byte for byte", async () => {
  await using ws = await CliWorkspace.create();
  const base = await ws.write("base", '{\n    "/a.csv": "1.0.0"\n}\n');
  // A Latin-1 editor's "/été.csv": read leniently, each é became U+FFFD and
  // the path was lost for good once written back (exit 0, nothing seen).
  const latin1 = new Uint8Array([
    ...new TextEncoder().encode('{\n    "/a.csv": "1.0.0",\n    "/'),
    0xe9,
    0x74,
    0xe9,
    ...new TextEncoder().encode('.csv": "1.0.0"\n}\n'),
  ]);
  await Deno.writeFile(ws.path("ours"), latin1);
  const theirs = await ws.write("theirs", '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0"\n}\n');
  const r = await ws.run(["merge-driver", base, ws.path("ours"), theirs]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "not valid UTF-8");
  const enc = new TextEncoder();
  assertEquals(
    await Deno.readFile(ws.path("ours")),
    new Uint8Array([
      ...enc.encode("<<<<<<< ours (vc merge-driver)\n"),
      ...latin1,
      ...enc.encode("=======\n"),
      ...enc.encode('{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0"\n}\n'),
      ...enc.encode(">>>>>>> theirs\n"),
    ]),
  );
});

Deno.test("merge-driver: a lock entry field one side added (a newer vc's) is kept, not dropped for the other side's", () => {
  const entry = (more = "") => `{"size": 1, "sha256": "${SHA_A}"${more}}`;
  const file = (...lines: string[]) => `{\n${lines.join(",\n")}\n}\n`;
  const base = file(`  "/a.csv@1.0.0": ${entry()}`);
  const theirs = file(`  "/a.csv@1.0.0": ${entry(', "etag": "x"')}`);
  const ours = file(`  "/a.csv@1.0.0": ${entry()}`, `  "/b.csv@1.0.0": ${entry()}`);
  const m = mergeVersionedFile(base, ours, theirs, "l.json");
  assertEquals(m.conflicts, []);
  assertEquals(parseLockFile(m.text, "l.json")["/a.csv@1.0.0"], {
    size: 1,
    sha256: SHA_A,
    etag: "x",
  } as never);
  // Both sides set the field to other values: a conflict, as for the hash.
  const other = file(`  "/a.csv@1.0.0": ${entry(', "etag": "y"')}`);
  const both = mergeVersionedFile(base, other, theirs, "l.json");
  assertEquals(both.conflicts.length, 1, both.text);
  assertStringIncludes(both.conflicts[0]!, '"etag"');
});

Deno.test("merge-driver: a criss-cross merge's virtual base, holding the driver's own markers, still merges entry by entry", () => {
  // Two merge bases: git merges them first with the same driver and uses the
  // result, conflict markers and all, as the base of the real merge.
  const file = (a: string, m: string, z: string) =>
    `{\n    "/a.csv": "${a}",\n    "/m.csv": "${m}",\n    "/z.csv": "${z}"\n}\n`;
  const virtual = mergeVersionedFile(
    file("1.0.0", "1.0.0", "1.0.0"),
    file("1.0.0", "1.2.0", "1.0.0"),
    file("1.0.0", "1.1.0", "1.0.0"),
    "m.json",
  );
  assertEquals(virtual.conflicts.length, 1);
  const m = mergeVersionedFile(
    virtual.text,
    file("1.0.0", "1.2.0", "1.3.0"),
    file("1.3.0", "1.2.0", "1.0.0"),
    "m.json",
  );
  assertEquals(m.conflicts, []);
  assertEquals(m.text, file("1.3.0", "1.2.0", "1.3.0"));
  // An entry the virtual base left undecided, moved apart again: a conflict.
  const apart = mergeVersionedFile(
    virtual.text,
    file("1.0.0", "1.2.0", "1.0.0"),
    file("1.0.0", "1.1.0", "1.0.0"),
    "m.json",
  );
  assertEquals(apart.conflicts.length, 1);
  // The same for a lock file.
  const line = (k: string, sha: string) => `  "${k}": {"size": 1, "sha256": "${sha}"}`;
  const lock = (...lines: string[]) => `{\n${lines.join(",\n")}\n}\n`;
  const vlock = mergeVersionedFile(
    lock(line("/a.csv@1.0.0", SHA_A)),
    lock(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_A)),
    lock(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_B)),
    "l.json",
  );
  assertEquals(vlock.conflicts.length, 1);
  const l = mergeVersionedFile(
    vlock.text,
    lock(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_B), line("/c.csv@1.0.0", SHA_A)),
    lock(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_B)),
    "l.json",
  );
  assertEquals(l.conflicts, []);
  assertEquals(
    l.text,
    lock(line("/a.csv@1.0.0", SHA_A), line("/b.csv@1.0.0", SHA_B), line("/c.csv@1.0.0", SHA_A)),
  );
});

Deno.test("merge-driver: an empty side (a file truncated by mistake, which vc refuses) does not remove the other side's entries", async () => {
  await using ws = await CliWorkspace.create();
  const text = '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "1.0.0"\n}\n';
  const base = await ws.write("base", text);
  const ours = await ws.write("ours", text.replace('"/a.csv": "1.0.0"', '"/a.csv": "1.1.0"'));
  const theirs = await ws.write("theirs", "");
  const r = await ws.run(["merge-driver", base, ours, theirs]);
  assertEquals(r.code, 1, r.stderr);
  // Read as no entries, it removed /b.csv, which ours kept as it was.
  assertStringIncludes(r.stderr, "the file is empty");
  assertEquals(
    await ws.read("ours"),
    `<<<<<<< ours (vc merge-driver)\n${
      text.replace('"/a.csv": "1.0.0"', '"/a.csv": "1.1.0"')
    }=======\n>>>>>>> theirs\n`,
  );
  // An empty base (both branches created the file) still merges.
  assertEquals(
    mergeVersionedFile("", '{\n    "/a.csv": "1.0.0"\n}\n', '{\n    "/b.csv": "1.0.0"\n}\n', "m")
      .conflicts,
    [],
  );
});
