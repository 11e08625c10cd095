/**
 * baiji-pod's prefill file is a YAML sequence (`- /foo/bar.csv`, quoted items
 * and `# comments` allowed). `vc prefill --list` refused it, with a `sed`
 * conversion that kept the quotes and comments of such items, so the
 * converted list was refused again. It is now read as it is: each entry is an
 * item, unquoted as YAML reads it (a path given its leading `/`, as baiji-pod
 * did), at its own line; an entry vc cannot read
 * as YAML does is refused naming the line and why. Other bad lists are refused
 * by their lines as before.
 */
import { join } from "node:path";
import { listEntries } from "../src/prefill/mod.ts";
import { InvalidInputError } from "../mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_list_yaml_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("prefill list: baiji-pod's YAML prefill file is read as it is", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "prefill.yaml");
    await Deno.writeTextFile(
      file,
      '---\r\n# CI assets\r\n\r\n- /foo/bar.csv\r\n- "/a/b.tar.gz"\r\n' +
        "-   '/it''s.csv'   # quoted, with a comment\r\n  - s3://b/k#1.csv # the table\r\n" +
        "- '/x #y.csv'\r\n- foo/baz.csv@1.0.0\r\n...\r\n",
    );
    const entries = [...await listEntries(file)];
    assertEquals(entries, [
      { item: "/foo/bar.csv", file, line: 4 },
      { item: "/a/b.tar.gz", file, line: 5 },
      { item: "/it's.csv", file, line: 6 },
      { item: "s3://b/k#1.csv", file, line: 7 },
      { item: "/x #y.csv", file, line: 8 },
      // baiji-pod gave a path without its leading / one, as a manifest key.
      { item: "/foo/baz.csv@1.0.0", file, line: 9 },
    ]);
  });
});

Deno.test("prefill list: a YAML entry vc cannot read is refused naming its line and why", async () => {
  await withDir(async (dir) => {
    const cases: Array<[string, string]> = [
      ["- /a.csv\n-\n", ':2: "-": an empty entry'],
      ["- /a.csv\n- '/b.csv\n", ':2: "- \'/b.csv": its closing quote is missing'],
      ["- /a.csv\n- '/b.csv' x\n", ":2: \"- '/b.csv' x\": text after its closing quote"],
      ["- /a.csv\n- /b.csv: 1.0.0\n", ':2: "- /b.csv: 1.0.0": a YAML mapping'],
      ["- /a.csv\n- [/b.csv, /c.csv]\n", ':2: "- [/b.csv, /c.csv]": not a plain YAML value'],
      ["- /a.csv\n- - /b.csv\n", ':2: "- - /b.csv": not a plain YAML value'],
    ];
    for (const [text, expected] of cases) {
      const file = join(dir, "bad.yaml");
      await Deno.writeTextFile(file, text);
      const error = await assertRejects(() => listEntries(file), InvalidInputError);
      assertStringIncludes(error.message, `${file}${expected}`);
    }
    const escaped = join(dir, "escaped.yaml");
    await Deno.writeTextFile(escaped, '- "/b\\u00e9.csv"\n');
    const error = await assertRejects(() => listEntries(escaped), InvalidInputError);
    assertStringIncludes(error.message, "backslash escape");
  });
});

Deno.test("prefill list: one item line among `- ` lines is no YAML list", async () => {
  await withDir(async (dir) => {
    const mixed = join(dir, "mixed.txt");
    await Deno.writeTextFile(mixed, "s3://b/k.csv\n- /foo/bar.csv\n");
    const error = await assertRejects(() => listEntries(mixed), InvalidInputError);
    assertStringIncludes(error.message, `${mixed}:2: "- /foo/bar.csv" is neither`);
    assert(!error.message.includes("YAML"), error.message);
    // A plain list keeps a `#` after its item, and a URI's trailing spaces.
    const plain = join(dir, "list.txt");
    await Deno.writeTextFile(plain, "/foo/bar.csv\ns3://b/k #1.csv \n");
    assertEquals([...await listEntries(plain)].map((e) => e.item), [
      "/foo/bar.csv",
      "s3://b/k #1.csv ",
    ]);
  });
});
