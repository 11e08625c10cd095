/**
 * `vc cache verify` of a cache copied without its times (`cp -r`, a CI
 * cache restored, a backup): every intact copy has a new modification time
 * its record takes. Each was one line of the report, so a cache of 20,000
 * entries printed 20,000 lines of the same news. The text report names the
 * first ones and counts the rest; `--json` lists them all.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MAX_FAILURES_SHOWN } from "../src/cli/failure_lines.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc cache verify: many copies with a new modification time are named up to a cap, then counted", async () => {
  await using ws = await CliWorkspace.create();
  const count = MAX_FAILURES_SHOWN + 5;
  const locals: string[] = [];
  {
    await using cache = new AssetCache({ cacheDir: ws.cacheDir, configPath: false, env: {} });
    for (let i = 0; i < count; i++) {
      await ws.write(`bucket/d/f${String(i).padStart(2, "0")}.txt`, `${i}\n`);
      locals.push(await cache.cache(`${ws.bucket}/d/f${String(i).padStart(2, "0")}.txt`));
    }
  }
  // As a copy without its times leaves them.
  const later = new Date(Date.now() + 3_600_000);
  for (const local of locals) await Deno.utime(local, later, later);
  const verify = await ws.run(["cache", "verify"]);
  assertEquals(verify.code, 0, verify.stdout + verify.stderr);
  const retimed = (verify.stdout + verify.stderr).split("\n")
    .filter((line) => line.includes("intact, with a new modification time"));
  assertEquals(retimed.length, MAX_FAILURES_SHOWN);
  assertStringIncludes(
    verify.stdout + verify.stderr,
    "... and 5 more intact with a new modification time (--json lists them all)",
  );
});
