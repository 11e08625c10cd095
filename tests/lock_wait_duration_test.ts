/**
 * `VC_LOCK_WAIT` took only a bare number of seconds, while its siblings
 * (`VC_CACHE_TIMEOUT`, `VC_REVALIDATE_TIMEOUT`, `VC_REQUEST_TIMEOUT`) take a
 * duration too: `VC_LOCK_WAIT=2m` failed every command. It now takes the
 * same durations (`90s`, `2m`, `500ms`), a bare number still being seconds.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { parseLockWait } from "../src/cache/cache_errors.ts";

Deno.test("parseLockWait takes a duration as VC_REVALIDATE_TIMEOUT does", () => {
  assertEquals(parseLockWait("2m"), 120);
  assertEquals(parseLockWait("90s"), 90);
  assertEquals(parseLockWait("500ms"), 0.5);
  assertEquals(parseLockWait("1h30m"), 5400);
  assertEquals(parseLockWait("45"), 45);
  assertEquals(parseLockWait("0"), 0);
  for (const bad of ["soon", "-1", "1e3", "0x10", "6M", "Infinity"]) {
    let message = "";
    try {
      parseLockWait(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, "VC_LOCK_WAIT", bad);
    assertStringIncludes(message, JSON.stringify(bad));
  }
});

Deno.test("vc config shows VC_LOCK_WAIT=2m as 120 s from the environment", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--json"], { VC_LOCK_WAIT: "2m" });
  assertEquals(r.code, 0, r.stderr);
  const row = r.json<{ name: string; value: unknown; source: string }[]>()
    .find((x) => x.name === "lockWait");
  assertEquals([row?.value, row?.source], [120, "env VC_LOCK_WAIT"]);
});
