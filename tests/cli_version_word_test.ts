/**
 * `vc version` (as `git version`, `docker version`, `go version` print their
 * own) was guessed only as `versions`, which lists an asset's versions; the
 * hint now names `vc --version` too.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("cli: `vc version` points at vc --version as well as versions", async () => {
  const io = memoryIo();
  const code = await runCli(["version"], io);
  assertEquals(code, 2, io.stderr());
  assertStringIncludes(io.stderr(), 'vc: unknown command "version"\n');
  assertStringIncludes(io.stderr(), 'did you mean "versions"? (vc\'s own version: vc --version)');
});
