/**
 * A `~` path that cannot be expanded (HOME unset or blank) names the setting
 * it came from, as `VC_CACHE_DIR: cannot expand …` does: `VC_MANIFEST=~/m.json`
 * with no HOME said only `cannot expand ~/m.json: HOME is not set`, a path the
 * user may not have typed (a CI file's `env:`), naming no variable to fix.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("~ with HOME unset: the error names the variable or flag the path came from", async () => {
  await using ws = await CliWorkspace.create();
  const noHome = { HOME: " ", USERPROFILE: " ", VC_CACHE_DIR: `${ws.dir}/cache` };
  for (
    const [args, env, named, code] of [
      [["ls"], { VC_MANIFEST: "~/m.json" }, "VC_MANIFEST", 1],
      [["ls"], { VC_LOCK: "~/l.json" }, "VC_LOCK", 1],
      [["ls", "--manifest", "~/m.json"], {}, "--manifest", 2],
      [["path", "/a.csv", "--lock", "~/l.json"], {}, "--lock", 2], // vc ls reads no lock
    ] as const
  ) {
    const r = await ws.run([...args], { ...noHome, ...env });
    assertEquals(r.code, code, `${args.join(" ")} ${JSON.stringify(env)}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `vc: ${named}: cannot expand ~/`);
  }
});
