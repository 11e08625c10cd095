/**
 * `vc path` prints a path for `"$(vc path …)"`. Output lines are made inert
 * (a newline printed as `\n`), which for this one line turned a real path
 * into a wrong one handed on with exit 0; the lean entry printed it raw
 * instead. Both now refuse such a path (exit 1, naming --json), and --json
 * gives it exactly.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc path: a local path with a newline is refused, not printed wrong", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "o\nx.csv"), "o\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "add");
    const manifest = join(dir, "versioned_assets.json");
    const entries = JSON.parse(await Deno.readTextFile(manifest));
    await Deno.writeTextFile(manifest, JSON.stringify({ ...entries, "/o.csv": "./o\nx.csv" }));

    const override = await vc(["path", "/o.csv"]);
    assertEquals([override.code, override.stdout], [1, ""], override.stderr);
    assertStringIncludes(override.stderr, "--json");
    const json = ok(await vc(["path", "/o.csv", "--json"]), "path --json");
    assertEquals(JSON.parse(json.stdout).local, join(dir, "o\nx.csv"));

    // A cache dir with a newline: the warm hit of the lean entry, then the full command.
    const cache = { VC_CACHE_DIR: join(dir, "c\nd") };
    ok(await vc(["path", "/a.csv", "--json"], cache), "warm up");
    for (const args of [["path", "/a.csv"], ["path", "/a.csv", "--verbose"]]) {
      const warm = await vc(args, cache);
      assertEquals([warm.code, warm.stdout], [1, ""], warm.stderr);
    }
  });
});
