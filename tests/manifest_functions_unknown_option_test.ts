/**
 * The manifest functions of `jsr:@vc/vc/versioned` check their options as
 * every other call does: `readManifest(file, { allowMising: true })` read
 * the option as unset and threw `NotFoundError` for a missing file, and
 * `writeManifest(file, entries, { indnt: "\t" })` wrote 4 spaces, both
 * without a word.
 */
import {
  formatManifest,
  readManifest,
  readManifestSnapshot,
  writeManifest,
} from "../src/versioned/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("manifest functions: a misspelt option is refused naming the one meant", () =>
  withTempDir(async (dir) => {
    const file = `${dir}/m.json`;
    for (const read of [readManifest, readManifestSnapshot]) {
      await assertRejects(
        () => read(file, { allowMising: true } as never),
        InvalidInputError,
        `unknown option "allowMising"; did you mean "allowMissing"?`,
      );
    }
    assertThrows(
      () => formatManifest({ "/a.csv": "1.0.0" }, { indnt: "\t" } as never),
      InvalidInputError,
      `formatManifest(): unknown option "indnt"; did you mean "indent"?`,
    );
    await assertRejects(
      () => writeManifest(file, { "/a.csv": "1.0.0" }, { indnt: "\t" } as never),
      InvalidInputError,
      `unknown option "indnt"; did you mean "indent"?`,
    );
    // Nothing was written; the options spelled right still work.
    assertEquals(await readManifest(file, { allowMissing: true }), {});
    await writeManifest(file, { "/a.csv": "1.0.0" }, { indent: "\t" });
    assertEquals(await Deno.readTextFile(file), '{\n\t"/a.csv": "1.0.0"\n}\n');
  }));
