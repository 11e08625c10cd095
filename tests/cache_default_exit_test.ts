/**
 * The README's one-liner, `await cache("s3://…")` in a script that never
 * closes the default cache: once the download is done the script ends on its
 * own. The connection pooled for the next request (HTTP/1.1 keep-alive) must
 * not keep the process alive until the server drops it.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { childEnv, testAwsEnv } from "./cli_process.ts";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("a script that calls cache() for an s3:// URI exits without closing the default cache", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "d/x.csv", "a,b\n1,2\n");
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-default-exit-" }));
  try {
    const script = join(dir, "script.ts");
    await Deno.writeTextFile(
      script,
      `import { cache } from ${JSON.stringify(pathToFileURL(join(ROOT, "mod.ts")).href)};\n` +
        `console.log(await Deno.readTextFile(await cache("s3://b/d/x.csv")));\n`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(ROOT, "deno.json"), script],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir, testAwsEnv(s3.url)),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // The fake S3 keeps an idle connection open for as long as the client
    // does: a pooled connection that holds the process would hang it here.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, 30_000);
    const out = await child.output();
    clearTimeout(timer);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(timedOut, false, `the script was still running after 30 s: ${stderr}`);
    assertEquals(out.code, 0, stderr);
    assertStringIncludes(new TextDecoder().decode(out.stdout), "a,b\n1,2\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
