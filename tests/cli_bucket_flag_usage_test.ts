/**
 * Every malformed flag value is a usage error (exit 2) naming the flag
 * (`--timeout xyz`, `--limit abc`, `--cache-dir ""`), but a malformed
 * `--bucket` exited 1 with 'bucket "s3://" is not a bucket'. The same value
 * from VC_BUCKET stays a runtime failure (exit 1): the command line is fine.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("a malformed --bucket is a usage error naming the flag", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const env = { HOME: cwd, VC_CACHE_DIR: `${cwd}/cache` };
    for (const bucket of ["s3://", "ftp://x", "s3://b//p"]) {
      const io = memoryIo({ env, cwd });
      assertEquals(await runCli(["path", "/a.csv", "--bucket", bucket], io), 2, io.stderr());
      assertStringIncludes(io.stderr(), `--bucket ${JSON.stringify(bucket)} is not a bucket`);
      assertStringIncludes(io.stderr(), 'Run "vc path --help" for usage.');
    }
    const fromEnv = memoryIo({ env: { ...env, VC_BUCKET: "s3://" }, cwd });
    assertEquals(await runCli(["path", "/a.csv"], fromEnv), 1, fromEnv.stderr());
    assertStringIncludes(fromEnv.stderr(), "VC_BUCKET");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
