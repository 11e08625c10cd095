/**
 * `vc config` with no user config file yet: its `configFile` row said only
 * `(none)`, so a newcomer who read "~/.config/vc/config.json (platform config
 * dir)" in the README had to guess where vc looks on this machine. The row
 * now names the file vc looked for, in its source, and still exits 0.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { join } from "node:path";

type Row = { name: string; value: unknown; source: string; error?: string };

Deno.test("vc config without a config file names the file it looked for", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_CONFIG: "", XDG_CONFIG_HOME: ws.path("xdg") };
  const expected = `none: no file at ${join(ws.path("xdg"), "vc", "config.json")}`;
  const json = await ws.run(["config", "--json"], env);
  assertEquals(json.code, 0, json.stderr);
  const row = (JSON.parse(json.stdout) as Row[]).find((r) => r.name === "configFile");
  assertEquals(row, { name: "configFile", value: null, source: expected });
  const text = await ws.run(["config"], env);
  assertEquals(text.code, 0, text.stderr);
  const line = text.stdout.split("\n").find((l) => l.startsWith("configFile "));
  assertEquals(line?.replace(/\s+/g, " ").trim(), `configFile (none) ${expected}`);
});
