/**
 * The `"vc"` block of a `deno.json` was checked on a re-serialized copy, and
 * JSON has no Infinity: `"timeout": 1e400` came back as `null` and was
 * refused as `got null`, a value the file does not hold. The block's values
 * are now checked as parsed, as a `vc.json`'s are.
 */
import { assertThrows } from "./assert.ts";
import { findProjectConfig } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";

Deno.test("findProjectConfig: a deno.json vc block's value is refused as written, not as null", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    for (const name of ["deno.json", "vc.json"]) {
      const body = '{"timeout": 1e400}';
      await Deno.writeTextFile(`${dir}/${name}`, name === "vc.json" ? body : `{"vc": ${body}}`);
      const error = assertThrows(() => findProjectConfig(dir), ConfigFileError);
      if (
        !/"timeout" .*got a number too large \(a timeout is finite: .*immutableBuckets.*\)$/.test(
          error.message,
        )
      ) {
        throw new Error(`${name}: unexpected message: ${error.message}`);
      }
      await Deno.remove(`${dir}/${name}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
