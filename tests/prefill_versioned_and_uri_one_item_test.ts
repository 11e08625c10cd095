/**
 * A versioned path, locked, and its own URI in one prefill were two items
 * (total 2: one fetched, one "already cached"), though the README says two
 * spellings of one object are one item, as `/a.csv` and `/a.csv@1.0.0` are.
 * The URI names nothing the locked, checked download does not: one item.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

interface Summary {
  total: number;
  fetched: number;
  alreadyCached: number;
  failed: unknown[];
}

Deno.test("prefill: a locked versioned path and its own URI are one item", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "aaaa");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  const uri = `${ws.bucket}/a.1.0.0.csv`;
  await ws.write("l.txt", `/a.csv\n${uri}\n/a.csv@1.0.0\n`);
  const args = ["prefill", "--json", "--list", "l.txt", "--manifest", "versioned_assets.json"];
  const cold = await ws.vc(...args);
  assertEquals(cold.code, 0, cold.stderr);
  const c = cold.json<Summary>();
  assertEquals([c.total, c.fetched, c.alreadyCached, c.failed], [1, 1, 0, []]);
  const warm = (await ws.vc(...args)).json<Summary>();
  assertEquals([warm.total, warm.fetched, warm.alreadyCached], [1, 0, 1]);
});
