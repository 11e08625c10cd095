/**
 * `vc serve --store file:///…` naming a directory that does not exist (a
 * typo) stops before it listens, naming the directory, as a missing S3
 * bucket does: it used to start on a new empty store (every cache a miss),
 * its first upload creating the directory and its parents.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { addToken } from "../src/server/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("serve: a file:// store whose directory does not exist is refused, naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_nodir_" });
  const stop = new AbortController();
  try {
    const tokenFile = join(dir, "tokens.json");
    await addToken(tokenFile, "alice");
    const missing = join(dir, "typo", "store");
    const io = memoryIo({ cwd: dir, env: { HOME: join(dir, "home") }, signal: stop.signal });
    const args = [
      "serve",
      "--store",
      `file://${missing}`,
      "--token-file",
      tokenFile,
      "--port",
      "0",
    ];
    // Bounded: a serve that starts is stopped after its first look.
    const running = runCli([...args, "--sweep-interval", "0"], io);
    const timer = setTimeout(() => stop.abort(), 20_000);
    const code = await running.finally(() => clearTimeout(timer));
    assertEquals(code, 1, io.stdout() + io.stderr());
    assert(!io.stdout().includes("listening"), io.stdout());
    assertStringIncludes(io.stderr(), `no directory ${missing}`);
    assertStringIncludes(io.stderr(), "mkdir -p");
    assertEquals(await Deno.stat(join(dir, "typo")).then(() => true, () => false), false);
  } finally {
    stop.abort();
    await Deno.remove(dir, { recursive: true });
  }
});
