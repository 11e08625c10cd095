/**
 * A `file://` source store holding a file whose name no key can have (a
 * backslash, a control character: written there by another program) is
 * reported by a store → local mirror, naming it and why, as the same key
 * from S3 is: never skipped without a word with exit 0.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test({
  name: "vc mirror file:// → dir: a source file named with a backslash is reported, exit 1",
  ignore: Deno.build.os === "windows", // no backslash in a file name there
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_bs_" }));
    try {
      await Deno.mkdir(join(dir, "src"));
      await Deno.writeTextFile(join(dir, "src", "q\\r"), "x");
      await Deno.writeTextFile(join(dir, "src", "ok.txt"), "ok");
      const io = memoryIo({ cwd: dir, env: { VC_CACHE_DIR: join(dir, "cache") } });
      const code = await runCli(
        ["mirror", `file://${dir}/src`, "out", "--state", "s.db", "--json"],
        io,
      );
      assertEquals(code, 1, io.stderr());
      const report = JSON.parse(io.stdout());
      assertEquals(report.transferred, 1);
      assertEquals(report.failed.length, 1, io.stdout());
      assertStringIncludes(report.failed[0].error, "q\\r");
      assertStringIncludes(report.failed[0].error, "backslash");
      assertStringIncludes(io.stderr(), "vc: mirror: 1 failed");
      assertEquals(await Deno.readTextFile(join(dir, "out", "ok.txt")), "ok");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
