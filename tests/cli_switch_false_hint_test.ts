/**
 * `--offline=false` (rclone's and Go's way to turn a switch off), typed to
 * get past a `VC_OFFLINE=1` in a shell profile or `"offline": true` in the
 * user config file, was refused as "--offline does not take a value" with
 * no way out: a switch only turns its setting on, so the flag could not win
 * over the environment there. The usage error now names the variable that
 * turns it off for one command (`VC_OFFLINE=0 vc get …`), and for `=true`
 * says to give the switch alone.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const CASES: [flag: string, variable: string][] = [
  ["--offline", "VC_OFFLINE"],
  ["--frozen", "VC_FROZEN"],
  ["--no-sign-request", "VC_S3_ANONYMOUS"],
];

for (const [flag, variable] of CASES) {
  Deno.test(`vc config ${flag}=false names ${variable}=0`, async () => {
    await using ws = await CliWorkspace.create();
    for (const off of ["false", "0", "no", "off"]) {
      const r = await ws.run(["config", `${flag}=${off}`], { [variable]: "1" });
      assertEquals(r.code, 2, r.stderr);
      assertStringIncludes(r.stderr, `${flag} does not take a value (got "${off}")`);
      assertStringIncludes(r.stderr, `${variable}=0 vc config`);
    }
    const r = await ws.run(["config", `${flag}=true`]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `write ${flag} alone`);
  });
}

Deno.test("VC_OFFLINE=0 turns off the config file's offline, as the hint says", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("home/.config/vc/config.json", JSON.stringify({ offline: true }));
  const r = await ws.run(["config", "--json"], { VC_OFFLINE: "0" });
  assertEquals(r.code, 0, r.stderr);
  const row = (JSON.parse(r.stdout) as { name: string; value: unknown; source: string }[])
    .find((x) => x.name === "offline");
  assertEquals(row, { name: "offline", value: false, source: "env VC_OFFLINE" });
});
