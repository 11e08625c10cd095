/**
 * A local path vc makes or reads under a file (`afile/s.sqlite`: a file
 * where one of its directories belongs) names that file, as `vc get`'s
 * DEST does: `vc mirror --state` said only `File exists (os error 17):
 * mkdir '…/afile'`, `vc repo restore --catalog sqlite:…` the same in
 * parentheses, and a manifest or lock file `Not a directory (os error 20)`.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("a state file, catalog, manifest or lock file under a file names the file in the way", async () => {
  await withWorkspace(async (dir, _process, inProcess) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    await Deno.writeTextFile(join(dir, "afile"), "");
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "x.txt"), "x");
    const repo = { VC_REPO: `file://${join(dir, "repo")}` };
    ok(await inProcess(["repo", "init"], repo), "init");
    const snapshot = `file://${join(dir, "b.jsonl.gz")}`;
    ok(await inProcess(["repo", "backup", snapshot], repo), "backup");
    ok(await inProcess(["add", "/a.csv", "a.csv"]), "add");
    const inTheWay = `a file is where one of its directories belongs: ${join(dir, "afile")}`;
    for (
      const [args, env] of [
        [["mirror", "src", `file://${join(dir, "mdest")}`, "--state", "afile/s.sqlite"], {}],
        [
          ["repo", "restore", snapshot, "--catalog", `sqlite:${join(dir, "afile", "c.sqlite")}`],
          repo,
        ],
        [["lock", "--check", "--manifest", "afile/m.json"], {}],
        [["lock", "--lock", "afile/l.json"], {}],
      ] as const
    ) {
      const r = await inProcess([...args], env);
      assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(r.stderr, inTheWay, args.join(" "));
    }
  });
});
