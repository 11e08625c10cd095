/**
 * The command line's `--json` output escapes the controls JSON leaves raw
 * (DEL, C1 such as U+009B, which some terminals take for an escape
 * sequence, and bidirectional overrides such as U+202E) as `\uXXXX`: the
 * same JSON value, inert when it reaches a terminal. A manifest path, a key
 * or a file name may hold them.
 */
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli --json: C1 and bidirectional controls in names are written escaped, the same JSON value", async () => {
  await using ws = await CliWorkspace.create();
  // Bidirectional controls are allowed in a versioned path (C0/C1 are not).
  const path = "/a\u202egnp.exe\u2066.csv";
  await ws.write("versioned_assets.json", JSON.stringify({ [path]: "1.0.0" }));
  const ls = await ws.vc("ls", "--json");
  assertEquals(ls.code, 0, ls.stderr);
  assert(!/[\u202a-\u202e\u2066-\u2069]/.test(ls.stdout), JSON.stringify(ls.stdout));
  assert(ls.stdout.includes("\\u202e") && ls.stdout.includes("\\u2066"), ls.stdout);
  assertEquals(ls.json(), [{ path, version: "1.0.0" }]);
  // A failure's JSON document too.
  const bad = await ws.vc("path", "/x\u202e.csv", "--json");
  assert(bad.code !== 0);
  assert(bad.stdout.includes("\\u202e"), bad.stdout);
  assert(!/[\u202a-\u202e]/.test(bad.stdout), JSON.stringify(bad.stdout));
});
