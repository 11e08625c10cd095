import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { readListFile } from "../src/prefill/list_file.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("readListFile: every bad line is named in one error, not only the first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_prefill_bad_lines_" });
  try {
    const file = join(dir, "assets.txt");
    await Deno.writeTextFile(
      file,
      "s3://b/ok.csv\nfoo/bar.csv\n# fine\ngs://b/k\ns3://b/ok2.csv\nrelative.csv\n",
    );
    const error = await assertRejects(() => readListFile(file), InvalidInputError);
    assertStringIncludes(error.message, `${file}:2: "foo/bar.csv"`);
    assertStringIncludes(error.message, "(2 more bad lines: 4, 6)");
    assertEquals(error.message.includes("\n"), false);

    const many = ["s3://b/ok.csv", ...Array.from({ length: 30 }, (_, i) => `bad${i}.csv`)];
    await Deno.writeTextFile(file, many.join("\n"));
    const capped = await assertRejects(() => readListFile(file), InvalidInputError);
    assertStringIncludes(capped.message, `${file}:2: "bad0.csv"`);
    assertStringIncludes(capped.message, "(29 more bad lines: 3, 4, 5,");
    assertStringIncludes(capped.message, ", 22, ...)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli prefill: a list with several bad lines names them all on one line", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bad.txt", `${ws.bucket}/a.csv\nftp://x/y\n\nno/slash.csv\n`);
  assertFailure(await ws.vc("prefill", "--list", "bad.txt"), 1, "bad.txt:2", "1 more bad line: 4");
});

Deno.test("readListFile: a list whose lines end with CR alone (old Mac OS) is refused, saying so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_prefill_cr_lines_" });
  try {
    const file = join(dir, "assets.txt");
    await Deno.writeTextFile(file, "s3://b/a.csv\rs3://b/b.csv\r");
    const error = await assertRejects(() => readListFile(file), InvalidInputError);
    assertStringIncludes(error.message, `${file}: its lines end with a carriage return alone`);
    assertStringIncludes(error.message, "save it with LF or CRLF line endings");
    // CRLF and LF lists are read as before.
    await Deno.writeTextFile(file, "s3://b/a.csv\r\ns3://b/b.csv\r\n");
    assertEquals((await readListFile(file)).length, 2);
    await Deno.writeTextFile(file, "s3://b/a.csv\ns3://b/b.csv\n");
    assertEquals((await readListFile(file)).length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
