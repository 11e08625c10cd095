/**
 * A manifest given where a list goes (`vc prefill --list versioned_assets.json`)
 * was refused by its first line, `"{" is neither an s3:// or file:// URI nor a
 * versioned path`, which does not say what to do. A list whose text is one
 * JSON object is now named as such, pointing to prefill's `versioned` option
 * (`vc prefill`'s `--manifest`, see library_errors_name_options_test.ts); any
 * other bad list is refused by its bad lines as before.
 */
import { join } from "node:path";
import { listEntries } from "../src/prefill/mod.ts";
import { InvalidInputError } from "../mod.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("prefill list: a JSON object (a manifest) is named as one, with the versioned option to use", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_list_json_" });
  try {
    const manifest = join(dir, "versioned_assets.json");
    await Deno.writeTextFile(manifest, '{\n    "/demo/table.csv": "1.1.0"\n}\n');
    const withBom = join(dir, "bom.json");
    await Deno.writeTextFile(withBom, '\uFEFF{"/a.csv": "1.0.0"}');
    for (const file of [manifest, withBom]) {
      const error = await assertRejects(() => listEntries(file), InvalidInputError);
      assertStringIncludes(error.message, `${file} is a JSON object (a manifest?)`);
      assertStringIncludes(error.message, "prefill's `versioned` option");
    }
    // Not one JSON object: the bad lines are named as before.
    const notJson = join(dir, "list.txt");
    await Deno.writeTextFile(notJson, "{bad\ns3://b/k\n");
    const error = await assertRejects(() => listEntries(notJson), InvalidInputError);
    assertStringIncludes(error.message, `${notJson}:1: "{bad" is neither`);
    assert(!error.message.includes("a manifest?"), error.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
