/**
 * `vc serve` stopped (Ctrl-C) while it looks at a store that does not answer
 * at start-up: the look took no signal, so the Ctrl-C went unheard until
 * its 10 s timeout, which then warned that the store could not be reached
 * before the command ended. It now ends at once as interrupted (130), with
 * no such warning.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { addToken } from "../src/server/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { silentServer } from "./raw_server.ts";
import { testAwsEnv } from "./cli_process.ts";

Deno.test("serve: a Ctrl-C during the start-up look at a silent store ends it at once", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_serve_probe_abort_" }));
  // Accepts the listing's connection and never answers it.
  await using s3 = silentServer();
  try {
    const tokenFile = join(dir, "tokens.json");
    await addToken(tokenFile, "alice");
    const env = {
      HOME: join(dir, "home"),
      ...testAwsEnv(s3.url),
    };
    // The S3 client reads the process environment.
    await withProcessEnv(env, async () => {
      const stop = new AbortController();
      const io = memoryIo({ cwd: dir, env, signal: stop.signal });
      const running = runCli(
        ["serve", "--store", "s3://bkt", "--token-file", tokenFile, "--port", "0"],
        io,
      );
      // Bounded: 400 looks, 25 ms apart, until the look at the store is under way.
      for (let i = 0; i < 400 && s3.accepted() === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      assert(s3.accepted() > 0, "the store was looked at");
      stop.abort(new DOMException("interrupted", "AbortError"));
      assertEquals(await running, 130, io.stderr());
      assert(!io.stderr().includes("cannot be reached"), io.stderr());
      assert(!io.stdout().includes("listening"), io.stdout());
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
