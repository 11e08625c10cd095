/**
 * `vc cache-client put ID FILE --filename ""`: an empty name is no name, and
 * every service refuses it (400 `multipart field "file" has no filename`),
 * which came only after the whole file, or all of standard input, was sent.
 * It is a usage error (exit 2) before anything is read or sent.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("cache-client put: an empty --filename is a usage error before any request", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cc-empty-name-" });
  try {
    await Deno.writeTextFile(join(dir, "result.tsv"), "a\tb\n");
    for (const file of ["result.tsv", "-"]) {
      const io = memoryIo({
        cwd: dir,
        // Port 1: nothing is asked of a service before the flag is checked.
        env: { HOME: dir, VC_CACHE_URL: "http://127.0.0.1:1", VC_CACHE_TOKEN: "t" },
      });
      const code = await runCli(
        ["cache-client", "put", "a".repeat(128), file, "--filename", ""],
        io,
      );
      assertEquals(code, 2, io.stderr());
      assertStringIncludes(io.stderr(), "--filename is empty");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
