/**
 * `vc serve --store file:///x/afile/st` and `vc serve expire` of it, where
 * `afile` is a file, said the store did not exist and to
 * `mkdir -p …/afile/st` to start a new one, which fails the same way: they
 * name the file in the way.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

Deno.test("vc serve / serve expire: a file:// store under a file names the file, offers no mkdir", async () => {
  await withWorkspace(async (dir, _process, inProcess) => {
    await Deno.writeTextFile(join(dir, "afile"), "");
    const tokens = join(dir, "tokens.json");
    await Deno.writeTextFile(tokens, JSON.stringify({ ["0".repeat(64)]: "alice" }));
    const store = `file://${join(dir, "afile", "st")}`;
    for (
      const args of [
        ["serve", "--store", store, "--token-file", tokens, "--port", "0"],
        ["serve", "expire", "--store", store],
      ]
    ) {
      const r = await inProcess(args);
      assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(
        r.stderr,
        `a file is where one of its directories belongs: ${join(dir, "afile")}`,
        args.join(" "),
      );
      assert(!r.stderr.includes("mkdir"), r.stderr);
    }
  });
});
