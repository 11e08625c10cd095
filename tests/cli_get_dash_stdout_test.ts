/**
 * `vc get PATH -` writes the content to stdout, as `vc cache-client get ID -`
 * does, and as `-` means for most tools: it used to write a file named `-`
 * in the working directory and print "copied ... to .../-".
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc get PATH [VERSION] -: the content on stdout, no file named -", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n1,2\n");
    const bucket = { VC_BUCKET: join(dir, "bucket") };
    ok(await vc(["add", "/a.csv", "a.csv"], bucket), "add");
    const got = ok(await vc(["get", "/a.csv", "-"], bucket), "get -");
    assertEquals(got.stdout, "a,b\n1,2\n");
    const pinned = ok(await vc(["get", "/a.csv", "1.0.0", "-"], bucket), "get 1.0.0 -");
    assertEquals(pinned.stdout, "a,b\n1,2\n");
    assert(!(await Deno.stat(join(dir, "-")).then(() => true, () => false)), "a file named -");
  });
});
