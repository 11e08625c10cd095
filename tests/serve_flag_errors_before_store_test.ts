/**
 * Every `vc serve` flag is checked before the store is looked at: a bad
 * `--sweep-interval` was parsed only once the store had answered, so it
 * waited out an unreachable store's probe (up to 10 s), or hid behind a
 * missing store directory's error (exit 1 instead of the usage error's 2).
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { addToken } from "../src/server/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("serve: a bad --sweep-interval is a usage error before the store is looked at", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_flags_" });
  const stop = new AbortController();
  try {
    const tokenFile = join(dir, "tokens.json");
    await addToken(tokenFile, "alice");
    const missing = join(dir, "no-such-store");
    for (const value of ["-1s", "5", "soon"]) {
      const io = memoryIo({ cwd: dir, env: { HOME: join(dir, "home") }, signal: stop.signal });
      const args = ["serve", "--store", `file://${missing}`, "--token-file", tokenFile];
      // Bounded: a serve that starts is stopped.
      const timer = setTimeout(() => stop.abort(), 20_000);
      const code = await runCli([...args, "--port", "0", "--sweep-interval", value], io)
        .finally(() => clearTimeout(timer));
      assertEquals(code, 2, io.stdout() + io.stderr());
      assertStringIncludes(io.stderr(), `--sweep-interval: invalid duration "${value}"`);
      assert(!io.stderr().includes("no directory"), io.stderr());
    }
  } finally {
    stop.abort();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: a bad flag is named before a missing or unreadable token file", async () => {
  // The token file was read before the other flags: a user who fixed it
  // (a missing file, a bad JSON) then met the --port typo, one at a time.
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_flags_" });
  try {
    const bad = join(dir, "bad.json");
    await Deno.writeTextFile(bad, "{");
    for (const tokenFile of [join(dir, "missing.json"), bad]) {
      const io = memoryIo({ cwd: dir, env: { HOME: join(dir, "home") } });
      const args = ["serve", "--store", `file://${dir}`, "--token-file", tokenFile];
      const code = await runCli([...args, "--port", "80x"], io);
      assertEquals(code, 2, io.stdout() + io.stderr());
      assertStringIncludes(io.stderr(), `--port must be a whole number from 0 to 65535, got "80x"`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
