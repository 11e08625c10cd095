// `vc prefill` of a version missing from the bucket (a manifest bumped but
// never pushed, a list's `/a.csv@9.9.9`) said only "file:///…/a.9.9.9.csv
// does not exist in the store (it would be cached at …)", where `vc path`
// and `vc sync` say which version of which path is missing and which
// versions there are. Prefill, CI's command, now says it the same way.
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("prefill names a missing version and the versions there are, as vc path does", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "aaaa");
  await ws.write("bucket/a.1.1.0.csv", "bbbb");
  await ws.write("versioned_assets.json", '{"/a.csv": "9.9.9"}');
  await ws.write("vc.json", '{"bucket": "./bucket"}');
  await ws.write("list.txt", "/a.csv@8.0.0\n");
  const expected = (v: string) =>
    new RegExp(
      `version ${v.replaceAll(".", "\\.")} of /a\\.csv does not exist \\(file://[^)]*/a\\.${
        v.replaceAll(".", "\\.")
      }\\.csv\\); available: 1\\.0\\.0, 1\\.1\\.0$`,
    );

  const r = await ws.run([
    "prefill",
    "--manifest",
    "versioned_assets.json",
    "--list",
    "list.txt",
    "--json",
  ]);
  assertEquals(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    failed: Array<{ item: string; line?: number; error: string; errorName: string }>;
  };
  assertEquals(doc.failed.map((f) => [f.item, f.errorName]), [
    ["/a.csv", "NotFoundError"],
    ["/a.csv@8.0.0", "NotFoundError"],
  ]);
  for (const [i, v] of [[0, "9.9.9"], [1, "8.0.0"]] as const) {
    assertMatch(doc.failed[i]!.error, expected(v));
  }
  // One line per failed item on stderr, each saying it.
  assertStringIncludes(r.stderr, "/a.csv: version 9.9.9 of /a.csv does not exist");
  assertStringIncludes(
    r.stderr,
    "list.txt:1: /a.csv@8.0.0: version 8.0.0 of /a.csv does not exist",
  );
});
