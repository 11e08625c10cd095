/**
 * A malformed `VC_MANIFEST` or `VC_LOCK` (blank, a URI) is the environment's
 * fault: a failure (exit 1) like a malformed `VC_BUCKET` or `VC_CACHE_DIR`,
 * without "Run vc CMD --help", which no command line fixes. The same value
 * as a flag stays a usage error (exit 2).
 */
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("env path settings: a bad VC_MANIFEST or VC_LOCK fails (exit 1), a bad flag is a usage error", async () => {
  await using ws = await CliWorkspace.create();
  for (
    const [name, value] of [["VC_MANIFEST", " "], ["VC_MANIFEST", "s3://other/m.json"], [
      "VC_LOCK",
      " ",
    ], ["VC_LOCK", "s3://other/l.json"]]
  ) {
    for (const args of [["ls"], ["config"], ["path", "/bar.csv"]]) {
      const r = await ws.run(args, { [name!]: value! });
      assertEquals(r.code, 1, `${name}=${value} vc ${args.join(" ")}: ${r.stderr}`);
      // Named as the variable (`vc config` names it in the setting's row too).
      assert(r.stderr.startsWith("vc: ") && r.stderr.includes(name!), r.stderr);
      // No command line fixes the environment: no "Run vc ls --help".
      assert(!r.stderr.includes("--help"), r.stderr);
    }
  }
  const json = await ws.run(["ls", "--json"], { VC_LOCK: "s3://other/l.json" });
  assertEquals(JSON.parse(json.stdout).error.exitCode, 1);
  assertEquals((await ws.run(["ls", "--manifest", " "])).code, 2);
  assertEquals((await ws.run(["path", "/a.csv", "--lock", "s3://other/l.json"])).code, 2);
});
