/**
 * `vc repo get ID --to -` writes the content to stdout, as `vc get PATH -`
 * and `vc cache-client get ID -` do. It wrote a file named "-" into the
 * working directory instead, and printed "wrote record 1 to …/-".
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo get --to -: the content on stdout, no file named -", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n1,2\n");
    // The repository is made in-process (repo_cli_test runs these as the
    // process); `get --to -` writes the process's stdout, its later runs
    // check only their answer.
    ok(await inProcess(["repo", "init"], env), "init");
    const id = ok(await inProcess(["repo", "add", "/data/a.csv", "a.csv"], env), "add").stdout
      .trim();
    ok(await inProcess(["repo", "publish", id], env), "publish");
    const vc = firstAsProcess(process, inProcess);

    const r = ok(await vc(["repo", "get", id, "--to", "-"], env), "get --to -");
    assertEquals(r.stdout, "a,b\n1,2\n");
    assertEquals(await Deno.lstat(join(dir, "-")).catch(() => undefined), undefined);

    // --json has no document for raw bytes: refused before any download.
    const json = await vc(["repo", "get", id, "--to", "-", "--json"], env);
    assertEquals(json.code, 2);
    assertStringIncludes(json.stderr, "writes the file's bytes to stdout");

    // A file named "-" is still reachable as ./-.
    ok(await vc(["repo", "get", id, "--to", "./-"], env), "get --to ./-");
    assertEquals(await Deno.readTextFile(join(dir, "-")), "a,b\n1,2\n");
  });
});
