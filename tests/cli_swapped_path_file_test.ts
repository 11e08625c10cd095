/**
 * `vc add`, `vc update` and `vc repo add` take PATH (the name a file is
 * published under) first, then FILE. Given the other way round, the order of
 * `cp` (`vc add ./bar.csv /foo/bar.csv`, `vc add ~/Desktop/bar.csv
 * /foo/bar.csv`), they said that `./bar.csv` is no valid path, or that
 * `/foo/bar.csv` does not exist, never that the two were swapped. Now a
 * usage error says so and gives the command line in the right order, before
 * anything is read from the store; the right order, and a FILE that simply
 * does not exist, are as before.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc add / update / repo add: PATH and FILE swapped is said, with the right order", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "bar.csv"), "a\n1\n");
    await Deno.writeTextFile(join(dir, "my bar.csv"), "a\n2\n");
    const swapped = [
      { args: ["add", "./bar.csv", "/foo/bar.csv"], right: "vc add /foo/bar.csv ./bar.csv" },
      // A PATH that is a valid name too (an absolute local path).
      {
        args: ["add", join(dir, "bar.csv"), "/foo/bar.csv"],
        right: `vc add /foo/bar.csv ${join(dir, "bar.csv")}`,
      },
      { args: ["add", "my bar.csv", "/foo/x.csv"], right: "vc add /foo/x.csv 'my bar.csv'" },
      {
        args: ["update", "./bar.csv", "/foo/bar.csv", "--patch"],
        right: "vc update /foo/bar.csv ./bar.csv",
      },
      {
        args: ["repo", "add", "./bar.csv", "/raw/bar.csv"],
        right: "vc repo add /raw/bar.csv ./bar.csv",
      },
    ];
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    for (const { args, right } of swapped) {
      const run = await vc(args, env);
      assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assertStringIncludes(run.stderr, "PATH, the name it is published under, comes first");
      assertStringIncludes(run.stderr, `swap them: ${right}`);
    }
    // Nothing was published or pinned.
    assertEquals([...Deno.readDirSync(join(dir, "bucket"))], []);
    assert(!(await Deno.stat(join(dir, "versioned_assets.json")).catch(() => undefined)));

    // A FILE that is missing, PATH no local file: the error it always was.
    const missing = await vc(["add", "/foo/bar.csv", "./nofile.csv"]);
    assertEquals(missing.code, 1, missing.stderr);
    assertStringIncludes(missing.stderr, "nofile.csv does not exist");
    assert(!missing.stderr.includes("swap"), missing.stderr);
    // The right order publishes.
    ok(await vc(["add", "/foo/bar.csv", "./bar.csv"]), "add in the right order");
  });
});
