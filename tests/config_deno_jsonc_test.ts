/**
 * A project whose Deno config is `deno.jsonc` (comments, trailing commas)
 * shares its `"vc"` block like one with `deno.json`: it was skipped without a
 * word, so the team's bucket silently did not apply.
 */
import { assertEquals } from "./assert.ts";
import { findProjectConfig } from "../src/config.ts";

Deno.test("findProjectConfig: the vc block of a deno.jsonc applies (comments, trailing commas)", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.writeTextFile(
      `${dir}/deno.jsonc`,
      `{
  // the team's assets
  "tasks": { "prefill": "vc prefill", },
  /* a block comment, with "quotes" and a , */
  "vc": {
    "bucket": "s3://team-assets/pre", // a URI keeps its "//"
    "timeout": "12h",
  },
}
`,
    );
    await Deno.mkdir(`${dir}/data`);
    const found = findProjectConfig(`${dir}/data`);
    assertEquals(found?.path, `${dir}/deno.jsonc`);
    assertEquals(found?.config.bucket, "s3://team-assets/pre");
    assertEquals(found?.config.timeout, 43200);

    // Both files: deno.json wins, as it does for Deno.
    await Deno.writeTextFile(`${dir}/deno.json`, '{"vc": {"bucket": "from-json"}}');
    assertEquals(findProjectConfig(`${dir}/data`)?.config.bucket, "s3://from-json");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
