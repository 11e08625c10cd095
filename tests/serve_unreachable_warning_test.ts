/**
 * `vc serve` over a store it cannot reach starts anyway and says so as every
 * command warns (`vc: warning: …`, through the shared output), not in a form
 * of its own that `--quiet` could not silence.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { addToken } from "../src/server/mod.ts";
import { assert, assertStringIncludes } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";

Deno.test("serve: an unreachable store is a warning in the shared form", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_serve_warn_" }));
  try {
    const tokenFile = join(dir, "tokens.json");
    await addToken(tokenFile, "alice");
    // A port nothing listens on: bound, then closed.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const env = {
      HOME: join(dir, "home"),
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      VC_REQUEST_TIMEOUT: "2",
    };
    // The S3 client reads the process environment.
    await withProcessEnv(env, async () => {
      for (const mode of ["", "--quiet"]) {
        const stop = new AbortController();
        const io = memoryIo({ cwd: dir, env, signal: stop.signal });
        const args = ["serve", "--store", "s3://bkt", "--token-file", tokenFile, "--port", "0"];
        const running = runCli(mode === "" ? args : [...args, mode], io);
        // Bounded: 200 looks, 50 ms apart, until it listens.
        for (let i = 0; i < 200 && !io.stdout().includes("listening"); i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        stop.abort();
        await running;
        if (mode === "") {
          assertStringIncludes(io.stderr(), "vc: warning: the store cannot be reached now");
        } else {
          assert(!io.stderr().includes("cannot be reached"), io.stderr());
        }
        assert(!io.stderr().includes("vc serve: warning"), io.stderr());
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
