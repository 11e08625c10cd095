/**
 * An empty manifest (`touch versioned_assets.json`, or a file an editor or a
 * crashed tool left with nothing in it) or lock file was refused as
 * `invalid JSON … at line 1, column 1: Unexpected end of JSON input`, which
 * says neither that the file is empty nor what an empty one should hold. It
 * is now named as empty, with `{}` (no entries) to write; it is still
 * refused, never read as no entries (a truncated manifest would then sync
 * nothing and say nothing), and `vc add` publishes nothing.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { readManifest } from "../src/versioned/manifest.ts";
import { readLockFile } from "../src/versioned/lock_file.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("an empty or blank manifest or lock file is named as empty", async () => {
  await using dir = await tempDir("vc_empty_manifest_");
  const file = join(dir.path, "m.json");
  for (const text of ["", "\n", "  \r\n\t", "\ufeff"]) {
    await Deno.writeTextFile(file, text);
    const m = await assertRejects(() => readManifest(file), InvalidInputError);
    assertEquals(
      m.message,
      `invalid JSON in manifest ${file}: the file is ${
        text.replace("\ufeff", "") === "" ? "empty" : "blank (only whitespace)"
      }; a JSON file holds one value (no entries: {})`,
      JSON.stringify(text),
    );
    const l = await assertRejects(() => readLockFile(file), InvalidInputError);
    assertEquals(l.message.startsWith(`invalid JSON in lock file ${file}: the file is `), true);
  }
});

Deno.test("cli add: an empty manifest is refused, nothing published", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "");
  await ws.write("a.csv", "a\n");
  const r = await ws.vc("add", "/a.csv", "a.csv");
  assertEquals(r.code, 1, r.stderr);
  assertEquals(
    r.stderr,
    `vc: invalid JSON in manifest ${ws.path("versioned_assets.json")}: the file is empty; ` +
      "a JSON file holds one value (no entries: {})\n",
  );
  assertEquals([...Deno.readDirSync(ws.bucketDir)], []);
  assertEquals(await ws.read("versioned_assets.json"), "");
});
