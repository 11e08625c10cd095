/**
 * `vc repo get ID --to DEST` checks DEST before it downloads, as `vc get PATH
 * DEST` does: a DEST that is one of the repository's own files was refused
 * only once the content was downloaded (a 1.5 GB record: 17 s, then a usage
 * error), and `--to /dev/stdout` into a pipe downloaded, then failed on
 * `open '/proc/self/fd/.pipe:[…].vc-tmp-…'`, naming neither --to nor `--to -`.
 * Here the content is gone from the store: a download would fail first, on
 * that, so the answer shows what was looked at first.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo get --to refuses a DEST it cannot write before downloading", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const repo = join(dir, "repo");
    const env = { VC_REPO: `file://${repo}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    ok(await inProcess(["repo", "init"], env), "init");
    const id = ok(await inProcess(["repo", "add", "/a.csv", "a.csv"], env), "add").stdout.trim();
    const record = JSON.parse(
      ok(await inProcess(["repo", "get", id, "--json"], env), "get").stdout,
    );
    await Deno.remove(join(repo, record.contentKey));

    const marker = await inProcess(["repo", "get", id, "--to", join(repo, ".vc-repo.json")], env);
    assertEquals(marker.code, 2, marker.stderr);
    assertStringIncludes(marker.stderr, "is the repository's marker");

    // The process's stdout is a pipe here, which /dev/stdout leads to: a
    // failure (exit 1) naming --to, as `vc get PATH /dev/stdout` is.
    const pipe = await process(["repo", "get", id, "--to", "/dev/stdout"], env);
    assertEquals(pipe.code, 1, pipe.stderr);
    assertStringIncludes(pipe.stderr, "--to /dev/stdout ");
    assertStringIncludes(pipe.stderr, `\`vc repo get ${id} --to -\` writes the content to`);
  });
});
