/**
 * A prefill list given where a manifest goes (`vc prefill --manifest
 * ci/extra_assets.txt`) was refused as `invalid JSON in manifest … at line 1,
 * column 1: Unexpected token 's'`, true but no help. A text that is no JSON and
 * whose first item (after blank and `#` lines) is a URI or a versioned path now
 * says it reads as a list, to give with `--list`; other bad JSON reads as before.
 */
import { parseManifest } from "../src/versioned/mod.ts";
import { InvalidInputError } from "../mod.ts";
import { assert, assertStringIncludes, assertThrows } from "./assert.ts";
import { withFlagNames } from "../src/cli/errors.ts";

Deno.test("manifest: a prefill list given as one says so, with prefill() (vc: --list) to use", () => {
  for (
    const text of [
      "s3://my-bucket/raw/x.bin\n/models/w.bin@1.0.0\n",
      "# assets for CI\n\nfile:///srv/assets/a.csv\n",
      "/foo/bar.csv\n",
    ]
  ) {
    const error = assertThrows(() => parseManifest(text, "ci/extra_assets.txt"), InvalidInputError);
    assertStringIncludes(error.message, "invalid JSON in manifest ci/extra_assets.txt");
    assertStringIncludes(error.message, "it reads as a prefill list");
    assertStringIncludes(error.message, "pass its lines to `prefill()` as items");
    assertStringIncludes(withFlagNames(error.message), "give it to `vc prefill --list`");
  }
  // Broken JSON is not a list: no such note.
  for (const text of ['{"/a.csv": "1.0.0",}', '{"/a.csv" "1.0.0"}', "nonsense"]) {
    const error = assertThrows(() => parseManifest(text, "m.json"), InvalidInputError);
    assert(!error.message.includes("prefill list"), error.message);
  }
});

// baiji-pod's prefill file (a YAML list, `baiji-prefill FILE`) given as a
// manifest was only `No number after minus sign`; `vc prefill --list` reads it.
Deno.test("manifest: baiji-pod's YAML prefill file given as one says it reads as a list", () => {
  for (const text of ["- /foo/bar.csv\n- s3://b/k\n", "---\n# CI\n- '/foo/bar.csv'\n"]) {
    const error = assertThrows(() => parseManifest(text, "prefill.yaml"), InvalidInputError);
    assertStringIncludes(error.message, "it reads as a prefill list");
  }
  const error = assertThrows(() => parseManifest("-1\n", "m.json"), InvalidInputError);
  assertStringIncludes(error.message, "must be a JSON object");
});
