/**
 * `vc cache verify` of a cache whose copies went bad together (a disk that
 * failed, a cache restored truncated): each corrupt copy was one line of the
 * report, so thousands of them buried its count and the lines after it. The
 * text report names the first ones and counts the rest, as it does for
 * repairs; `--json` lists them all.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MAX_FAILURES_SHOWN } from "../src/cli/failure_lines.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc cache verify: many corrupt copies are named up to a cap, then counted", async () => {
  await using ws = await CliWorkspace.create();
  const count = MAX_FAILURES_SHOWN + 5;
  const locals: string[] = [];
  {
    await using cache = new AssetCache({ cacheDir: ws.cacheDir, configPath: false, env: {} });
    for (let i = 0; i < count; i++) {
      const name = `d/f${String(i).padStart(2, "0")}.txt`;
      await ws.write(`bucket/${name}`, `${String(i).padStart(2, "0")}\n`);
      locals.push(await cache.cache(`${ws.bucket}/${name}`));
    }
  }
  // Other bytes of the same size in every copy.
  for (const local of locals) await Deno.writeTextFile(local, "xx\n");
  const verify = await ws.run(["cache", "verify"]);
  assertEquals(verify.code, 1, verify.stdout + verify.stderr);
  const out = verify.stdout + verify.stderr;
  assertStringIncludes(out, `0 ok, ${count} corrupt`);
  const named = out.split("\n").filter((line) => line.includes("corrupt (removed): "));
  assertEquals(named.length, MAX_FAILURES_SHOWN);
  assertStringIncludes(out, "... and 5 more corrupt (--json lists them all)");
  assertStringIncludes(out, "the next use of a removed entry downloads it again");
});
