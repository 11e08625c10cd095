/**
 * Deno reads `deno.json` as JSON with comments and trailing commas, like
 * `deno.jsonc`. A `deno.json` with a comment was not parsed, so its `"vc"`
 * block was skipped without a word and the walk went on up: a parent
 * directory's `vc.json` (another project's bucket) applied instead.
 */
import { assertEquals } from "./assert.ts";
import { findProjectConfig } from "../src/config.ts";

Deno.test("findProjectConfig: the vc block of a deno.json with comments applies, not a parent's vc.json", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.writeTextFile(`${dir}/vc.json`, '{"bucket": "parent-assets"}');
    await Deno.mkdir(`${dir}/app/data`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/app/deno.json`,
      `{
  // the app's tasks
  "tasks": {},
  "vc": { "bucket": "app-assets", },
}
`,
    );
    const found = findProjectConfig(`${dir}/app/data`);
    assertEquals(found?.path, `${dir}/app/deno.json`);
    assertEquals(found?.config.bucket, "s3://app-assets");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
