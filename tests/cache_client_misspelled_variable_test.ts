/**
 * `VC_CACHE_TOKEN_FILE=~/.vc-token vc cache-client get ID` (as `vc serve`
 * reads VC_SERVE_TOKEN_FILE) said only `no token: set VC_CACHE_TOKEN (or
 * pass --token)`, with the variable the user did set left unmentioned;
 * likewise VC_URL for VC_CACHE_URL. As for a missing bucket, the variable
 * set under another name is named, with the one vc reads.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const ID = "a".repeat(128);

Deno.test("cache-client: a token or URL variable set under another name is named", async () => {
  const cases = [
    [{ VC_CACHE_URL: "http://127.0.0.1:1", VC_CACHE_TOKEN_FILE: "/home/u/.vc-token" }, [
      "no token",
      "VC_CACHE_TOKEN_FILE is set, but vc reads no such variable",
      "VC_CACHE_TOKEN=$(cat /home/u/.vc-token)",
    ]],
    [{ VC_URL: "http://127.0.0.1:1", VC_CACHE_TOKEN: "t" }, [
      "no service URL",
      "VC_URL is set, but vc reads no such variable: rename it VC_CACHE_URL",
    ]],
  ] as const;
  for (const [env, said] of cases) {
    const io = memoryIo({ env: { HOME: "/nonexistent", ...env } });
    assertEquals(await runCli(["cache-client", "get", ID], io), 2, io.stderr());
    for (const words of said) assertStringIncludes(io.stderr(), words);
  }
});
