/**
 * `vc serve --host ""` (an unset variable in a unit file) or `--host
 * "0.0.0.0 "` opened and probed the store and then failed to listen
 * (`cannot listen on :0: invalid empty host`, exit 1): a malformed flag is a
 * usage error (exit 2) naming it, before the store is touched.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("serve: a blank --host, or one with whitespace at an end, is a usage error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/tokens.json`, "{}");
    for (const host of ["", " ", "0.0.0.0 ", "\t127.0.0.1"]) {
      const io = memoryIo({ cwd: dir, env: { HOME: dir }, signal: AbortSignal.abort() });
      const args = ["serve", "--store", `file://${dir}/st`, "--token-file", `${dir}/tokens.json`];
      const code = await runCli([...args, "--port", "0", "--host", host], io);
      assertEquals(code, 2, io.stderr());
      assertStringIncludes(io.stderr(), `--host: invalid interface ${JSON.stringify(host)}`);
      // Refused before the store: its missing directory is not what is named.
      assertEquals(io.stderr().includes("does not exist"), false, io.stderr());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
