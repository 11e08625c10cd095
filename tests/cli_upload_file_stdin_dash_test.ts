/**
 * `vc add PATH -` (and `update`, `repo add`): FILE "-" was read as a file
 * named "-" ("… /- does not exist"), which never said that these commands do
 * not read standard input nor what to do. It is a usage error saying so,
 * before the store or repository is opened; `./-` still names such a file.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc add / update / repo add FILE -: refused, saying stdin is not read", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    for (
      const args of [
        ["add", "/a.csv", "-"],
        ["update", "/a.csv", "-", "--patch"],
        ["repo", "add", "/a.csv", "-"],
      ]
    ) {
      const r = await vc(args, env);
      const command = args[0] === "repo" ? "repo add" : args[0];
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(r.stderr, `FILE -: ${command} does not read standard input`);
      assertStringIncludes(r.stderr, "save it to a file first");
    }
    // Nothing was made: nothing in the bucket, no repository, no manifest.
    assertEquals([...Deno.readDirSync(join(dir, "bucket"))], []);
    for (const name of ["repo", "versioned_assets.json"]) {
      assertEquals(await Deno.lstat(join(dir, name)).catch(() => undefined), undefined, name);
    }

    // A file named "-" is published as ./-.
    await Deno.writeTextFile(join(dir, "-"), "a,b\n");
    ok(await vc(["add", "/a.csv", "./-"], env), "add ./-");
    assertEquals((await vc(["cat", "/a.csv"], env)).stdout, "a,b\n");
  });
});
