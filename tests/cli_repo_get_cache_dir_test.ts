/**
 * `vc repo get ID --local` (and `--to`) download through the asset cache,
 * whose directory `VC_CACHE_DIR` names, but `--cache-dir` was an unknown flag
 * there (exit 2), unlike every other command that reads through the cache.
 * It is taken now, and checked as everywhere (a URI is a usage error).
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo get --local --cache-dir DIR: the copy is cached in DIR", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    ok(await vc(["repo", "init"], env), "init");
    const id = ok(await vc(["repo", "add", "/data/a.csv", "a.csv"], env), "add").stdout.trim();

    const local = ok(
      await vc(["repo", "get", id, "--local", "--cache-dir", "own-cache"], env),
      "get --local --cache-dir",
    ).stdout.trim();
    assertEquals(local.startsWith(join(dir, "own-cache") + "/"), true, local);
    assertEquals(await Deno.readTextFile(local), "a,b\n");

    const uri = await vc(["repo", "get", id, "--local", "--cache-dir", "s3://b/c"], env);
    assertEquals(uri.code, 2, uri.stderr);
    assertStringIncludes(uri.stderr, "--cache-dir must be a local path");
  });
});
