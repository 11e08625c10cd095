/**
 * `vc add` published without a word a path `vc sync` then refuses on every
 * Linux and macOS checkout: a segment of 130 `é`s (260 UTF-8 bytes, past
 * the 255-byte file names there, though 130 UTF-16 units on Windows), or a
 * name of the form of vc's temp files (refused on every system). Published
 * versions are never removed, so it is said before the upload, naming the
 * segment, why, and where, as a name only Windows refuses already was.
 */
import { join } from "node:path";
import { VersionedCache } from "../src/versioned/mod.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("add of a path vc sync refuses on Linux and macOS too warns first, naming where", async () => {
  await using dir = await tempDir("vc_add_unsyncable_name_");
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "x\n");
  await using store = new MemoryStore();
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: "s3://b",
    openStore: () => Promise.resolve(store),
    lock: false,
  });
  const long = `${"\u00e9".repeat(130)}.csv`;
  const cases: Array<[string, string, string]> = [
    [`/d/${long}`, "on Linux or macOS", "is longer than 255 bytes"],
    [`/d/${"\u00e9".repeat(300)}/x.csv`, "on Linux, macOS or Windows", "is longer than 255 bytes"],
    ["/d/.a.csv.vc-tmp-99999-abcdefgh", "on any system", "vc's temp files"],
    ["/d/.b.csv.VC-TMP-0-SHARED", "on any system", "vc's temp files"],
    ["/con/x.csv", "on Windows", "device name"],
  ];
  for (const [path, where, why] of cases) {
    const warnings: Array<{ key: string; message: string }> = [];
    assertEquals(await vc.add(path, file, { onWarning: (w) => warnings.push(w) }), "1.0.0");
    assertEquals(warnings.length, 1, `${path}: ${JSON.stringify(warnings)}`);
    assertStringIncludes(warnings[0]!.message, `cannot be a file ${where} (`);
    assertStringIncludes(warnings[0]!.message, why);
    assertStringIncludes(warnings[0]!.message, `\`sync()\` ${where} refuses`);
  }
  // 125 `é`s and `.csv` are 254 bytes: a file name everywhere.
  const none: unknown[] = [];
  await vc.add(`/d/${"\u00e9".repeat(125)}.csv`, file, { onWarning: (w) => none.push(w) });
  assertEquals(none, []);
});
