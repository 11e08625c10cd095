import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { parseLockFile } from "../src/versioned/lock_file.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import {
  classifyValue,
  formatManifest,
  readManifest,
  updateManifest,
  writeManifest,
} from "../src/versioned/manifest.ts";
import { join } from "node:path";

async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "vc_manifest_test_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("readManifest normalizes keys and keeps values as written", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "manifest.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      "foo/bar.csv": "1.2.5",
      "/dev/a.csv": "s3://bucket/k.csv",
      "/dev/b.csv": "/abs/local.csv",
      "/dev/c.csv": "./rel.csv",
      "/dev/d.csv": "../up.csv",
      "/dev/e.csv": "file:///srv/x.csv",
    }),
  );
  assertEquals(await readManifest(file), {
    "/foo/bar.csv": "1.2.5",
    "/dev/a.csv": "s3://bucket/k.csv",
    "/dev/b.csv": "/abs/local.csv",
    "/dev/c.csv": "./rel.csv",
    "/dev/d.csv": "../up.csv",
    "/dev/e.csv": "file:///srv/x.csv",
  });
});

Deno.test("classifyValue resolves relative overrides against the manifest's directory", () => {
  assertEquals(classifyValue("1.2.5", "/repo/m.json"), { kind: "version", version: "1.2.5" });
  assertEquals(classifyValue("./data/x.csv", "/repo/sub/m.json"), {
    kind: "override",
    location: "/repo/sub/data/x.csv",
  });
  assertEquals(classifyValue("../x.csv", "/repo/sub/m.json"), {
    kind: "override",
    location: "/repo/x.csv",
  });
  assertEquals(classifyValue("/abs/x.csv", "/repo/m.json"), {
    kind: "override",
    location: "/abs/x.csv",
  });
  assertEquals(classifyValue("s3://b/k.csv", "/repo/m.json"), {
    kind: "override",
    location: "s3://b/k.csv",
  });
});

Deno.test("a missing manifest is NotFoundError naming it, or empty with allowMissing", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "nope.json");
  const e = await assertRejects(() => readManifest(file), NotFoundError, file);
  assertStringIncludes(e.message, "`add(PATH, FILE)`");
  assertEquals(await readManifest(file, { allowMissing: true }), {});
});

Deno.test("malformed manifests give InvalidInputError naming the file and the entry", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  const cases: Array<[text: string, ...includes: string[]]> = [
    ["[]", "JSON object", "an array"],
    ['"1.2.3"', "JSON object", "string"],
    ["null", "JSON object", "null"],
    ['{"/a.csv": 1}', '"/a.csv"', "must be a string", "number"],
    ['{"/a.csv": null}', '"/a.csv"', "null"],
    ['{"/a.csv": ["1.0.0"]}', '"/a.csv"', "an array"],
    ['{"/a.csv": "1.2"}', '"/a.csv"', '"1.2"', "MAJOR.MINOR.PATCH"],
    ['{"/a.csv": "v1.2.3"}', '"/a.csv"', '"v1.2.3"', "not a version"],
    ['{"/a.csv": "01.2.3"}', '"/a.csv"', '"01.2.3"', "not a version"],
    ['{"/a.csv": "1.2.3+ci.1"}', '"/a.csv"', "not a version", "build metadata"],
    ['{"/a.csv": "1.2.3-rc.01"}', '"/a.csv"', "not a version", "a pre-release is"],
    ['{"/a.csv": "1.2.3-rc.1 "}', '"/a.csv"', "has spaces around the version"],
    // The right shape, a part too large to count with: said as `--version` says it.
    ['{"/a.csv": "9007199254740993.0.0"}', '"/a.csv": "9007199254740993.0.0"', "at most"],
    ['{"/a.csv": ""}', '"/a.csv"', "is empty"],
    ['{"/a.csv": "gs://b/k"}', '"/a.csv"', "gs://b/k"],
    ['{"/a.csv": "s3://b"}', '"/a.csv"', "not an object"],
    ['{"/a.csv": "s3://bad bucket/k"}', '"/a.csv"', "bad bucket"],
    ['{"/../a.csv": "1.0.0"}', '"/../a.csv"', ".."],
    ['{"": "1.0.0"}', '""', "empty"],
    ['{"/a\\\\b.csv": "1.0.0"}', "backslash"],
    ['{"/a.csv": "1.0.0", "a.csv": "1.0.1"}', '"/a.csv"', '"a.csv"', "both name /a.csv"],
    ['{\n    "/a.csv": "1.0.0",\n    "/a.csv": "1.0.1"\n}', ":3:5", '"/a.csv"', "more than once"],
  ];
  for (const [text, ...includes] of cases) {
    await Deno.writeTextFile(file, text);
    const e = await assertRejects(() => readManifest(file), InvalidInputError, file);
    for (const part of includes) assertStringIncludes(e.message, part, text);
  }
});

Deno.test("JSON syntax errors report line and column", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  const cases: Array<[string, string]> = [
    // A missing comma is named where it goes, at the end of line 2.
    ['{\n    "/a.csv": "1.0.0"\n    "/b.csv": "1.0.0"\n}', "at line 2, column 22"],
    ['{\n    "/a.csv": "1.0.0",\n}', "at line 2, column 22"],
    ['{"/a.csv": "1.0.0"', "at line 1, column 19"],
    // An empty file is named as one: manifest_empty_file_named_test.ts.
  ];
  for (const [text, where] of cases) {
    await Deno.writeTextFile(file, text);
    const e = await assertRejects(
      () => readManifest(file),
      InvalidInputError,
      `invalid JSON in manifest ${file} ${where}: `,
    );
    // Said once: not again as V8's "at position N (line L column C)".
    assert(!e.message.includes("position"), e.message);
  }
});

Deno.test("a manifest JSON syntax error states its position once, as a settings file's does", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  // V8's message for this one ends "in JSON at position 38 (line 3 column 14)".
  const text = '{\n    "/a.csv": "1.0.0",\n    "/b.csv" "1.0.0"\n}';
  await Deno.writeTextFile(file, text);
  const e = await assertRejects(() => readManifest(file), InvalidInputError);
  assertEquals(
    e.message,
    `invalid JSON in manifest ${file} at line 3, column 14: ` +
      "Expected ':' after property name",
  );
  // A version missing its opening quote is named as a version to quote.
  await Deno.writeTextFile(file, '{\n    "/a.csv": "1.0.0",\n    "/b.csv": 1.0.0"\n}');
  await assertRejects(
    () => readManifest(file),
    InvalidInputError,
    `at line 3, column 15: 1.0.0 is not a JSON value: a version is a string; write "1.0.0"`,
  );
  // The lock file beside it says it the same way.
  assertThrows(
    () => parseLockFile('{\n  "/a.csv@1.0.0": {"size": 1 "sha256": "x"}\n}', "l.json"),
    InvalidInputError,
    "invalid JSON in lock file l.json at line 2, column 30: Expected ',' or '}' after property value",
  );
});

Deno.test("writeManifest: sorted, 4-space indent, trailing newline, one line per change", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  await writeManifest(file, { "/z.csv": "1.0.0", "a/b.csv": "2.0.0", "/m.csv": "./x.csv" });
  const text = await Deno.readTextFile(file);
  assertEquals(
    text,
    '{\n    "/a/b.csv": "2.0.0",\n    "/m.csv": "./x.csv",\n    "/z.csv": "1.0.0"\n}\n',
  );
  await writeManifest(file, { ...(await readManifest(file)), "/m.csv": "1.0.0" });
  const after = (await Deno.readTextFile(file)).split("\n");
  const before = text.split("\n");
  assertEquals(after.length, before.length);
  assertEquals(after.filter((line, i) => line !== before[i]), ['    "/m.csv": "1.0.0",']);
  assertEquals(formatManifest({}), "{}\n");
  // No temp files left behind.
  const names = [];
  for await (const entry of Deno.readDir(dir.path)) names.push(entry.name);
  assertEquals(names, ["m.json"]);
});

Deno.test("writeManifest refuses invalid entries and leaves the file unchanged", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  await writeManifest(file, { "/a.csv": "1.0.0" });
  await assertRejects(
    () => writeManifest(file, { "/a.csv": "1.0" }),
    InvalidInputError,
    '"/a.csv"',
  );
  await assertRejects(
    () => writeManifest(file, { "/a.csv": "1.0.0", "a.csv": "1.0.0" }),
    InvalidInputError,
    "both name",
  );
  assertEquals(await readManifest(file), { "/a.csv": "1.0.0" });
});

Deno.test("writeManifest keeps the file's permissions", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  await writeManifest(file, { "/a.csv": "1.0.0" });
  await Deno.chmod(file, 0o640);
  await writeManifest(file, { "/a.csv": "1.0.1" });
  assertEquals((await Deno.stat(file)).mode! & 0o777, 0o640);
});

Deno.test("updateManifest serializes concurrent changes and aborts on a throwing change", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      updateManifest(file, async (m) => {
        await new Promise((r) => setTimeout(r, i % 3));
        m[`/f${i}.csv`] = "1.0.0";
      })),
  );
  assertEquals(Object.keys(await readManifest(file)).length, 20);
  await assertRejects(
    () =>
      updateManifest(file, (m) => {
        m["/f0.csv"] = "9.9.9";
        throw new InvalidInputError("no");
      }),
    InvalidInputError,
  );
  assertEquals((await readManifest(file))["/f0.csv"], "1.0.0");
  // The next change still runs after a failed one.
  await updateManifest(file, (m) => {
    delete m["/f0.csv"];
  });
  assert(!("/f0.csv" in await readManifest(file)));
});

Deno.test("updateManifest keeps a 2-space file 2-space (formatters and vc agree)", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  await Deno.writeTextFile(file, '{\n  "/a.csv": "1.0.0",\n  "/b.csv": "1.0.0"\n}\n');
  await updateManifest(file, (m) => {
    m["/b.csv"] = "1.1.0";
  });
  assertEquals(await Deno.readTextFile(file), '{\n  "/a.csv": "1.0.0",\n  "/b.csv": "1.1.0"\n}\n');
  // No change: the file is not rewritten at all.
  await Deno.writeTextFile(file, '{"/a.csv": "1.0.0"}');
  await updateManifest(file, () => {});
  assertEquals(await Deno.readTextFile(file), '{"/a.csv": "1.0.0"}');
  // One written on one line gets the default 4 spaces, keeping its (missing) final newline.
  await updateManifest(file, (m) => {
    m["/a.csv"] = "1.0.1";
  });
  assertEquals(await Deno.readTextFile(file), '{\n    "/a.csv": "1.0.1"\n}');
  assertEquals(
    formatManifest({ "/a.csv": "1.0.0" }, { indent: "\t" }),
    '{\n\t"/a.csv": "1.0.0"\n}\n',
  );
});

Deno.test("a manifest that is a symlink is written through to its target; the link stays", {
  ignore: Deno.build.os === "windows", // symlinks need privileges there
}, async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "shared"));
  const target = join(dir.path, "shared", "assets.json");
  await Deno.writeTextFile(target, '{\n    "/a.csv": "1.0.0"\n}\n');
  const link = join(dir.path, "versioned_assets.json");
  await Deno.symlink("shared/assets.json", link);
  await updateManifest(link, (m) => {
    m["/b.csv"] = "2.0.0";
  });
  assert((await Deno.lstat(link)).isSymlink, "the link is still a link");
  assertEquals(
    await Deno.readTextFile(target),
    '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "2.0.0"\n}\n',
  );
  await writeManifest(link, { "/c.csv": "3.0.0" });
  assert((await Deno.lstat(link)).isSymlink);
  assertEquals(await readManifest(target), { "/c.csv": "3.0.0" });
  // A dangling link creates its target.
  const dangling = join(dir.path, "dangling.json");
  await Deno.symlink("shared/new.json", dangling);
  await updateManifest(dangling, (m) => {
    m["/d.csv"] = "1.0.0";
  });
  assert((await Deno.lstat(dangling)).isSymlink);
  assertEquals(await readManifest(join(dir.path, "shared", "new.json")), { "/d.csv": "1.0.0" });
  // The lock file sits beside the target, not beside the link.
  const names = [...Deno.readDirSync(join(dir.path, "shared"))].map((e) => e.name).sort();
  assertEquals(names, [".assets.json.lock", ".new.json.lock", "assets.json", "new.json"]);
});

// What baiji-pod 1.0.6 writes (Python json.dump, sort_keys, indent=4, ensure_ascii).
const BAIJI = '{\n    "/caf\\u00e9/menu.csv": "1.0.0",\n    "/data/b.csv": "2.1.0",\n' +
  '    "/data/\\u00e9t\\u00e9.csv": "1.0.0",\n    "/z/\\ud83d\\ude00.bin": "1.0.0"\n}';

Deno.test("updating a baiji-pod manifest changes exactly the changed lines and keeps its style", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "versioned_assets.json");
  await Deno.writeTextFile(file, BAIJI);
  await updateManifest(file, (m) => {
    m["/data/b.csv"] = "2.2.0";
  });
  const after = await Deno.readTextFile(file);
  const diff = after.split("\n").filter((line, i) => line !== BAIJI.split("\n")[i]);
  assertEquals(diff, ['    "/data/b.csv": "2.2.0",']);
  assert(!after.endsWith("\n"), "no final newline, as baiji-pod writes");
  // A new non-ASCII entry is escaped and sorted by code point: "\u{1F600}" sorts
  // after "\uFFFD" by code point, before it by UTF-16 unit.
  await updateManifest(file, (m) => {
    m["/z/\uFFFD.bin"] = "1.0.0";
    m["/data/\u00e0.csv"] = "1.0.0";
  });
  assertEquals(
    await Deno.readTextFile(file),
    '{\n    "/caf\\u00e9/menu.csv": "1.0.0",\n    "/data/b.csv": "2.2.0",\n' +
      '    "/data/\\u00e0.csv": "1.0.0",\n' +
      '    "/data/\\u00e9t\\u00e9.csv": "1.0.0",\n    "/z/\\ufffd.bin": "1.0.0",\n' +
      '    "/z/\\ud83d\\ude00.bin": "1.0.0"\n}',
  );
  // Removing the last entry moves the comma, nothing else.
  await updateManifest(file, (m) => {
    delete m["/z/\u{1F600}.bin"];
  });
  assert((await Deno.readTextFile(file)).endsWith('    "/z/\\ufffd.bin": "1.0.0"\n}'));
});

Deno.test("vc's own files keep UTF-8 and a final newline; keys sort by code point", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "m.json");
  await updateManifest(file, (m) => {
    m["/\u{1F600}.bin"] = "1.0.0";
    m["/\uFFFD.bin"] = "1.0.0";
    m["/é.csv"] = "1.0.0";
  });
  assertEquals(
    await Deno.readTextFile(file),
    '{\n    "/é.csv": "1.0.0",\n    "/\uFFFD.bin": "1.0.0",\n    "/\u{1F600}.bin": "1.0.0"\n}\n',
  );
});

Deno.test("bare relative override values are paths relative to the manifest's directory", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "repo", "m.json");
  await Deno.mkdir(join(dir.path, "repo"));
  await Deno.writeTextFile(file, '{"/a.csv": "src/a.csv", "/b.csv": "b.csv"}');
  const m = await readManifest(file);
  assertEquals(m["/a.csv"], "src/a.csv");
  assertEquals(classifyValue("src/a.csv", file), {
    kind: "override",
    location: join(dir.path, "repo", "src", "a.csv"),
  });
  assertEquals(classifyValue("b.csv", file), {
    kind: "override",
    location: join(dir.path, "repo", "b.csv"),
  });
});

Deno.test("a hand-edited manifest keeps its indentation and blank lines on a rewrite", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "versioned_assets.json");
  // Blank lines grouping the entries, and spaces after the `{`.
  const grouped = '{  \n  "/a.csv": "1.0.0",\n\n  "/m.csv": "1.0.0",\n  "/n.csv": "1.0.0"\n\n}\n';
  await Deno.writeTextFile(file, grouped);
  await updateManifest(file, (m) => {
    m["/b.csv"] = "1.0.0";
    m["/n.csv"] = "1.0.1";
  });
  assertEquals(
    await Deno.readTextFile(file),
    '{  \n  "/a.csv": "1.0.0",\n  "/b.csv": "1.0.0",\n\n  "/m.csv": "1.0.0",\n' +
      '  "/n.csv": "1.0.1"\n\n}\n',
  );
  // Removing the entry after a blank line keeps the blank line before the next one.
  await updateManifest(file, (m) => {
    delete m["/m.csv"];
  });
  assertEquals(
    await Deno.readTextFile(file),
    '{  \n  "/a.csv": "1.0.0",\n  "/b.csv": "1.0.0",\n\n  "/n.csv": "1.0.1"\n\n}\n',
  );
  // A file that must be rewritten whole (two entries on a line) keeps its 2-space indentation.
  await Deno.writeTextFile(file, '{\n\n  "/a.csv": "1.0.0", "/b.csv": "1.0.0"\n}\n');
  await updateManifest(file, (m) => {
    m["/c.csv"] = "1.0.0";
  });
  assertEquals(
    await Deno.readTextFile(file),
    '{\n  "/a.csv": "1.0.0",\n  "/b.csv": "1.0.0",\n  "/c.csv": "1.0.0"\n}\n',
  );
});
