/**
 * `vc repo get ID --to out/`: a trailing slash names a directory even before
 * it exists (as for `vc get`), so the content lands in `out/<name>`, never in a
 * file called `out`.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo get --to DIR/: a trailing slash names a directory", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    ok(await vc(["repo", "init"], env), "init");
    const id = ok(await vc(["repo", "add", "/data/a.csv", "a.csv"], env), "add").stdout.trim();

    ok(await vc(["repo", "get", id, "--to", "new/dir/"], env), "get --to new/dir/");
    assertEquals(await Deno.readTextFile(join(dir, "new", "dir", "a.csv")), "a,b\n");
    ok(await vc(["repo", "get", id, "--to", "plain.csv"], env), "get --to FILE");
    assertEquals(await Deno.readTextFile(join(dir, "plain.csv")), "a,b\n");
  });
});

Deno.test({
  name: "vc repo get --to DIR/: a backslash in the record's name is part of the file name",
  ignore: Deno.build.os === "windows", // a backslash separates there; no such file name
  async fn() {
    await withWorkspace(async (dir, vc) => {
      const env = { VC_REPO: `file://${join(dir, "repo")}` };
      await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
      ok(await vc(["repo", "init"], env), "init");
      const id = ok(await vc(["repo", "add", "/data/x\\y.csv", "a.csv"], env), "add").stdout.trim();
      // A file named like the part before the backslash: no directory of that name is needed.
      await Deno.mkdir(join(dir, "out"));
      await Deno.writeTextFile(join(dir, "out", "x"), "keep");
      ok(await vc(["repo", "get", id, "--to", "out/"], env), "get --to out/");
      assertEquals(await Deno.readTextFile(join(dir, "out", "x\\y.csv")), "a,b\n");
      assertEquals(await Deno.readTextFile(join(dir, "out", "x")), "keep");
      assertEquals([...Deno.readDirSync(join(dir, "out"))].map((e) => e.name).sort(), [
        "x",
        "x\\y.csv",
      ]);
    });
  },
});
