/**
 * `vc cache get` and `vc cache dir` print a path for `"$(vc cache get …)"`.
 * Output lines are made inert (a newline printed as `\n`), so a path with a
 * newline (a plain local path, or any copy in a cache dir whose name has
 * one) came out as another, nonexistent path with exit 0. Both now refuse
 * such a path (exit 1, naming the URI or the cache dir and --json), as
 * `vc path` does, and --json gives it exactly.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc cache get/dir: a path with a newline is refused, not printed wrong", async () => {
  await withWorkspace(async (dir, vc) => {
    const source = join(dir, "bucket", "a.csv");
    await Deno.writeTextFile(source, "a\n");
    const cacheDir = join(dir, "c\nd");
    const env = { VC_CACHE_DIR: cacheDir };
    const uri = pathToFileURL(source).href;

    const cold = await vc(["cache", "get", uri], env);
    assertEquals([cold.code, cold.stdout], [1, ""], cold.stderr);
    assertStringIncludes(cold.stderr, `the local path of ${uri} contains a control character`);
    assertStringIncludes(cold.stderr, "--json");
    const json = ok(await vc(["cache", "get", uri, "--json"], env), "cache get --json");
    const local = JSON.parse(json.stdout).local;
    assertEquals(await Deno.readTextFile(local), "a\n");
    assertEquals(local.startsWith(cacheDir), true, local);
    const warm = await vc(["cache", "get", uri, "--quiet"], env);
    assertEquals([warm.code, warm.stdout], [1, ""], warm.stderr);

    // A plain local path passes through, and is refused the same way.
    const plain = join(dir, "o\nx.csv");
    await Deno.writeTextFile(plain, "o\n");
    const passed = await vc(["cache", "get", plain]);
    assertEquals([passed.code, passed.stdout], [1, ""], passed.stderr);
    assertEquals(
      JSON.parse(ok(await vc(["cache", "get", plain, "--json"]), "plain --json").stdout).local,
      plain,
    );

    const shown = await vc(["cache", "dir"], env);
    assertEquals([shown.code, shown.stdout], [1, ""], shown.stderr);
    assertStringIncludes(shown.stderr, "the cache dir contains a control character");
    assertEquals(
      JSON.parse(ok(await vc(["cache", "dir", "--json"], env), "dir").stdout).dir,
      cacheDir,
    );
    // An ordinary cache dir is printed as it is.
    assertEquals(ok(await vc(["cache", "dir"]), "plain dir").stdout, `${join(dir, "cache")}\n`);
  });
});
