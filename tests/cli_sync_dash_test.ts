/**
 * `vc sync -`: "-" names standard output for `vc get`, where a tree of
 * files cannot go. It used to make a directory named `-` in the working
 * directory without a word; it is a usage error now, and `./-` still names
 * such a directory when one is meant.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc sync -: a usage error naming DEST, no directory named -; ./- is a directory", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n1,2\n");
    const bucket = { VC_BUCKET: join(dir, "bucket") };
    ok(await vc(["add", "/a.csv", "a.csv"], bucket), "add");
    const dash = await vc(["sync", "-"], bucket);
    assertEquals(dash.code, 2, dash.stderr);
    assertStringIncludes(dash.stderr, "DEST - names standard output");
    assertEquals(dash.stdout, "");
    assert(!(await Deno.stat(join(dir, "-")).then(() => true, () => false)), "a directory named -");
    ok(await vc(["sync", "./-"], bucket), "sync ./-");
    assertEquals(await Deno.readTextFile(join(dir, "-", "a.csv")), "a,b\n1,2\n");
  });
});
