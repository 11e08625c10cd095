/**
 * No shell expands the `~` of `--to=~/copy.csv` or `--list=~/l.txt`: `vc repo
 * get ID --to=~/copy.csv` wrote `./~/copy.csv` and reported success, and `vc
 * prefill --list=~/l.txt` looked for `./~/l.txt`. Both take `~` as HOME now,
 * as `--manifest`, `--cache-dir`, `--lock` and `--state` do.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("repo get --to=~/x and prefill --list=~/x take ~ as HOME", async () => {
  await withWorkspace(async (dir, vc) => {
    const home = join(dir, "home");
    const env = { VC_REPO: `file://${join(dir, "repo")}`, HOME: home };
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    ok(await vc(["repo", "init"], env), "init");
    const id = ok(await vc(["repo", "add", "/data/a.csv", "a.csv"], env), "add").stdout.trim();
    ok(await vc(["repo", "get", id, "--to=~/copy.csv"], env), "get --to=~/copy.csv");
    assertEquals(await Deno.readTextFile(join(home, "copy.csv")), "a,b\n");
    assertEquals(await Deno.lstat(join(dir, "~")).catch(() => undefined), undefined);

    await Deno.writeTextFile(join(dir, "bucket", "x.txt"), "x\n");
    await Deno.writeTextFile(join(home, "l.txt"), `file://${join(dir, "bucket", "x.txt")}\n`);
    const prefill = ok(await vc(["prefill", "--json", "--list=~/l.txt"], env), "prefill");
    assertEquals(JSON.parse(prefill.stdout).fetched, 1);
  });
});
