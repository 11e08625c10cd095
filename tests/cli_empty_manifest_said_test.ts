/**
 * `vc ls`, `vc verify` and `vc lock --check` of a manifest with no entries printed nothing and
 * exited 0, which reads as "all fine" (a CI `vc verify` run against the
 * wrong, empty file passed silently), while `vc sync` says the manifest is
 * empty and `vc ls-remote` of an empty bucket says it holds nothing. They
 * say so on stderr now; stdout (and `--json`, `[]`) stays what a script reads.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc ls, vc verify and vc lock --check of an empty manifest say it is empty, on stderr", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "{}\n");
  const manifest = ws.path("versioned_assets.json");
  for (const command of [["ls"], ["verify"], ["lock", "--check"]]) {
    const text = await ws.vc(...command);
    assertEquals([text.code, text.stdout], [0, ""], text.stderr);
    assertStringIncludes(text.stderr, `vc: manifest ${manifest} has no entries`);
    const json = await ws.vc(...command, "--json");
    assertEquals([json.code, json.json(), json.stderr], [0, [], ""]);
    const quiet = await ws.vc(...command, "--quiet");
    assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
  }
  // With an entry, nothing more is said.
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  for (const command of [["ls"], ["verify"], ["lock", "--check"]]) {
    const r = await ws.vc(...command);
    assertEquals([r.code, r.stderr], [0, ""]);
  }
});
