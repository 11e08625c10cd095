/**
 * Names shown to users escape the invisible format characters too, not only
 * the controls: a zero-width space (U+200B), a right-to-left mark (U+200F),
 * a byte order mark, a line separator (U+2028, which some terminals break the
 * line at) or a tag character would otherwise make `a\u200b.csv` print as
 * `a.csv`, one key passing for another.
 */
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { inertJson, printable } from "../src/printable.ts";

const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/u;

Deno.test("printable: zero-width, direction marks, BOM, line separator and tags are escaped", () => {
  assertEquals(printable("a\u200b.csv"), "a\\u200b.csv");
  assertEquals(printable("x\u200fy\u061c\ufeff\u2028.csv"), "x\\u200fy\\u061c\\ufeff\\u2028.csv");
  assertEquals(printable("soft\u00adhyphen"), "soft\\xadhyphen");
  assertEquals(printable("tag\u{e0041}.csv"), "tag\\u{e0041}.csv");
  assertEquals(printable("hangul\u3164filler"), "hangul\\u3164filler");
  // Visible text is left alone.
  assertEquals(printable("café 数据 \u{1f600}.csv"), "café 数据 \u{1f600}.csv");
  // So are the joiners and variation selectors that shape it: a Persian name
  // with its zero-width non-joiner, an Indic one with a joiner, ❤️, a family.
  for (
    const name of [
      "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.csv",
      "\u0915\u094d\u200d\u0937.csv",
      "\u2764\ufe0f.csv",
      "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}.csv",
    ]
  ) {
    assertEquals(printable(name), name);
    assertEquals(inertJson(name), JSON.stringify(name));
  }
});

Deno.test("vc path: a name with a joiner or a variation selector is printed as itself", async () => {
  await using ws = await CliWorkspace.create();
  for (const name of ["/\u0645\u06cc\u200c\u062e.csv", "/\u2764\ufe0f.csv"]) {
    await ws.write("in.csv", "x\n");
    const add = await ws.vc("add", name, "in.csv");
    assertEquals(add.code, 0, add.stderr);
    const path = await ws.vc("path", name);
    assertEquals(path.code, 0, path.stderr);
    const local = path.stdout.replace(/\n$/, "");
    // The line printed is the cached file's path, not an escaped look-alike.
    assertEquals(await Deno.readTextFile(local), "x\n");
  }
});

Deno.test("inertJson: invisible format characters become \\u escapes of the same value", () => {
  const value = { key: "a\u200b\u2029\u{e0041}.csv" };
  const text = inertJson(value);
  assert(!INVISIBLE.test(text), JSON.stringify(text));
  assertEquals(JSON.parse(text), value);
});

Deno.test("vc mirror --dry-run: a key with a zero-width space is not shown as its look-alike", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a");
  await ws.write("src/a\u200b.csv", "b");
  await ws.write("src/x\u200fy.csv", "c");
  const run = await ws.run(["mirror", ws.path("src"), `file://${ws.path("store")}`, "--dry-run"]);
  assertEquals(run.code, 0, run.stderr);
  const shown = run.stdout + run.stderr;
  assert(!INVISIBLE.test(shown), JSON.stringify(shown));
  assert(shown.includes("a\\u200b.csv") && shown.includes("x\\u200fy.csv"), shown);
  const json = await ws.run([
    "mirror",
    ws.path("src"),
    `file://${ws.path("store")}`,
    "--dry-run",
    "--json",
  ]);
  assertEquals(json.code, 0, json.stderr);
  assert(!INVISIBLE.test(json.stdout), JSON.stringify(json.stdout));
});
