/**
 * `vc cache rm 's3://b/tables/*.csv'` (a pattern, quoted so the shell left
 * it) said `… was not cached`, exit 0: read as "nothing matched", while the
 * cached tables stayed. `rm` and `invalidate` take URIs, not patterns (`*` is
 * a legal key character, so the argument is still taken as one URI); when
 * such an argument names nothing cached, the line now says so and where the
 * cached URIs are listed.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cache rm/invalidate of a pattern says it takes URIs, not patterns", async () => {
  await using ws = await CliWorkspace.create();
  const source = await ws.write("t/a.csv", "a\n");
  const uri = new URL(`file://${source}`).href;
  assertEquals((await ws.run(["cache", "get", uri])).code, 0);
  const pattern = uri.replace(/a\.csv$/, "*.csv");
  const said = "takes URIs, not patterns: `vc cache ls` lists the cached ones";
  for (const args of [["rm", pattern], ["invalidate", pattern], ["rm", "s3://b/t/[ab].csv"]]) {
    const r = await ws.run(["cache", ...args]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, said, args.join(" "));
  }
  // The copy is untouched; a plain URI that is not cached says no more.
  assertEquals((await ws.run(["cache", "ls", "--json"])).json<unknown[]>().length, 1);
  const plain = await ws.run(["cache", "rm", "s3://b/t/c.csv"]);
  assert(!plain.stdout.includes("patterns"), plain.stdout);
});
