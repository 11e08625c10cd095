/**
 * A key given twice in a `vc.json` is refused, but inside the `"vc"` block of
 * a `deno.json` / `deno.jsonc` it was taken silently, last one winning: the
 * block was parsed, then written out again for the checks, which lost the
 * first value. Both kinds of project file now refuse it, naming the file and
 * the key.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { findProjectConfig } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-deno-dup-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("findProjectConfig: a key given twice in a deno.json's vc block is refused, as in a vc.json", async () => {
  await withDir(async (dir) => {
    const deno = `${dir}/deno.json`;
    await Deno.writeTextFile(
      deno,
      '{\n  "vc": {\n    "bucket": "team-a",\n    "bucket": "team-b"\n  }\n}\n',
    );
    const e = assertThrows(() => findProjectConfig(dir), ConfigFileError);
    assertEquals(e.path, deno);
    assertEquals(
      e.message,
      `config file ${deno} at line 4, column 5: "bucket" is given more than once in its "vc" block`,
    );

    // The same text as a vc.json: refused the same way.
    await Deno.remove(deno);
    const vcJson = `${dir}/vc.json`;
    await Deno.writeTextFile(vcJson, '{\n    "bucket": "team-a",\n    "bucket": "team-b"\n}\n');
    const v = assertThrows(() => findProjectConfig(dir), ConfigFileError);
    assertEquals(v.path, vcJson);
    assert(v.message.includes(vcJson) && v.message.includes('"bucket" is given more than once'));
  });
});

Deno.test("findProjectConfig: a deno.jsonc's vc block with a key twice (behind comments) is refused at its line", async () => {
  await withDir(async (dir) => {
    const deno = `${dir}/deno.jsonc`;
    await Deno.writeTextFile(
      deno,
      `{
  // "timeout": "1h" in a comment is not a key
  "vc": {
    "timeout": "12h", /* "timeout": 1 */
    "bucket": "s3://team",
    "timeout": "1d",
  },
}
`,
    );
    await Deno.mkdir(`${dir}/data`);
    const e = assertThrows(() => findProjectConfig(`${dir}/data`), ConfigFileError);
    assertEquals(e.path, deno);
    assertEquals(
      e.message,
      `config file ${deno} at line 6, column 5: "timeout" is given more than once in its "vc" block`,
    );
  });
});

Deno.test("findProjectConfig: two vc blocks in one deno.json are refused; keys twice elsewhere are Deno's", async () => {
  await withDir(async (dir) => {
    const deno = `${dir}/deno.json`;
    await Deno.writeTextFile(deno, '{"vc": {"bucket": "a"},\n "vc": {"bucket": "b"}}');
    const e = assertThrows(() => findProjectConfig(dir), ConfigFileError);
    assertEquals(
      e.message,
      `config file ${deno} at line 2, column 2: "vc" is given more than once (two "vc" blocks)`,
    );

    // A key twice outside the block (and a "bucket" outside it) is not vc's to judge.
    await Deno.writeTextFile(
      deno,
      '{"tasks": {"t": "a", "t": "b"}, "bucket": 1, "vc": {"bucket": "team", "timeout": 60}}',
    );
    const found = findProjectConfig(dir);
    assertEquals(found?.config.bucket, "s3://team");
    assertEquals(found?.config.timeout, 60);
  });
});
