/**
 * Messages of the real `vc` process (release permissions) for inputs Deno
 * itself refuses: never advice the binary's user cannot follow.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

Deno.test({
  name: "vc add of a file under /proc names it and says why, without --allow-all advice",
  ignore: Deno.build.os !== "linux", // /proc is Linux's
  async fn() {
    await withWorkspace(async (_dir, vc) => {
      const r = await vc(["add", "/x.txt", "/proc/self/status"]);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "/proc/self/status");
      assertStringIncludes(r.stderr, "special system files");
      assert(!r.stderr.includes("--allow-all"), r.stderr);
      assert(!r.stderr.includes("internal error"), r.stderr);
    });
  },
});
