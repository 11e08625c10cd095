import { assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

// V8 quotes the start of a bad JSON text, newlines included; vc prints an
// error's first line, so the reason was cut at the file's first line end.
Deno.test("a manifest, lock file or config file that is not JSON: the whole reason on one line", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bad.json", "hello\nworld\n");
  await ws.write("m.json", '{"/a": "1.0.0"}');
  const cases = [
    ["ls", "--manifest", "bad.json"],
    ["lock", "--check", "--manifest", "m.json", "--lock", "bad.json"],
  ];
  for (const args of cases) {
    const r = await ws.vc(...args);
    assertFailure(r, 1, ws.path("bad.json"), '"hello\\nworld\\n" is not valid JSON');
  }
  const r = await ws.run(["ls", "--manifest", "m.json"], { VC_CONFIG: ws.path("bad.json") });
  assertFailure(r, 1, ws.path("bad.json"));
  assertStringIncludes(r.stderr, '"hello\\nworld\\n" is not valid JSON');
});
