/**
 * `vc repo tag 42 a b` (tags as separate words, as `git tag` users type
 * them) is a usage error that shows the one comma-separated argument meant,
 * `a,b`; it said only `unexpected argument "b"`.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo tag/untag with tags as separate words hints the comma-separated list", async () => {
  await using ws = await CliWorkspace.create();
  for (const command of ["tag", "untag"]) {
    const r = await ws.run(["repo", command, "42", "raw", "eu", "--repo", ws.bucket]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, 'unexpected argument "eu"');
    assertStringIncludes(r.stderr, "TAGS is one argument, comma-separated: raw,eu");
  }
  // Other commands keep the plain message.
  const other = await ws.run(["repo", "publish", "1", "2", "--repo", ws.bucket]);
  assertEquals(other.code, 2, other.stderr);
  assertEquals(other.stderr.includes("comma-separated"), false, other.stderr);
});
