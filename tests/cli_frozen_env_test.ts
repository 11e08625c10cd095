/**
 * A bad `VC_FROZEN` was a usage error (exit 2, "Run vc path --help for
 * usage") parsed by a copy of the boolean rule, while every other `VC_*`
 * variable's bad value fails as the environment's fault (exit 1, one line
 * naming the variable and the value). It is now read as `VC_OFFLINE` is.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc: a bad VC_FROZEN fails like a bad VC_OFFLINE: exit 1, one line naming it", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "{}");
  for (const name of ["VC_FROZEN", "VC_OFFLINE"]) {
    for (const args of [["config"], ["ls"]]) {
      const r = await ws.run([...args, "--bucket", ws.bucket], { [name]: "maybe" });
      assertEquals(r.code, 1, `${name} ${args}: ${r.stderr}`);
      assertEquals(
        r.stderr,
        `vc: ${name} must be 1/0, true/false, yes/no or on/off, got "maybe"\n`,
      );
    }
  }
  // Good values still read as before, in any case.
  const on = await ws.run(["config", "--json"], { VC_FROZEN: " Yes " });
  const rows = on.json<{ name: string; value: unknown; source: string }[]>();
  const frozen = rows.find((r) => r.name === "frozen");
  assertEquals([frozen?.value, frozen?.source], [true, "env VC_FROZEN"]);
  const off = await ws.run(["config"], { VC_FROZEN: "off" });
  assertStringIncludes(off.stdout, "frozen ");
  assertEquals(off.code, 0);
});
