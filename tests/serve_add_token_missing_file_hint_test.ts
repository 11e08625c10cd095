/**
 * `vc serve add-token NAME` with no token file named says how to name one,
 * the variable included: `VC_SERVE_TOKEN_FILE` works as `--token-file` does,
 * as `vc serve` names `VC_SERVE_STORE` beside `--store`. It said only
 * "--token-file is required".
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("serve add-token without a token file names --token-file and VC_SERVE_TOKEN_FILE", async () => {
  await using ws = await CliWorkspace.create();
  const missing = await ws.run(["serve", "add-token", "alice"]);
  assertEquals(missing.code, 2, missing.stderr);
  assertStringIncludes(missing.stderr, "--token-file");
  assertStringIncludes(missing.stderr, "VC_SERVE_TOKEN_FILE");
  // What the hint says works.
  const added = await ws.run(["serve", "add-token", "alice"], {
    VC_SERVE_TOKEN_FILE: ws.path("tokens.json"),
  });
  assertEquals(added.code, 0, added.stderr);
  assertEquals(Object.values(JSON.parse(await Deno.readTextFile(ws.path("tokens.json")))), [
    "alice",
  ]);
});
