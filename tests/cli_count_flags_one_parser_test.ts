/**
 * Every flag that takes a whole number (`--limit`, `--max-delete`,
 * `--concurrency`, `--max-uploads…`, `--port`) reads it one way: digits
 * only, no sign, no spaces at an end, no `1e3` or `0x10`. `--port " 8080"`
 * was refused while `--limit " 5"`, `--concurrency "8 "` and
 * `--max-delete " 3"` were taken, each flag with its own regular expression.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("whole-number flags refuse spaces, signs and other spellings alike", async () => {
  await using ws = await CliWorkspace.create();
  await Deno.mkdir(ws.path("src"));
  const tokens = await ws.write("tokens.json", "{}");
  const commands: Array<[string, string[]]> = [
    ["--limit", ["repo", "ls", "--repo", ws.bucket]],
    ["--limit", ["repo", "find", "--any", "a", "--repo", ws.bucket]],
    ["--concurrency", ["prefill", "--bucket", ws.bucket]],
    ["--concurrency", ["mirror", "src", ws.bucket]],
    ["--max-delete", ["mirror", "src", ws.bucket, "--delete"]],
    ["--max-uploads", ["serve", "--store", ws.bucket, "--token-file", tokens]],
    ["--port", ["serve", "--store", ws.bucket, "--token-file", tokens]],
  ];
  for (const [flag, args] of commands) {
    for (const value of [" 5", "5 ", "\t5", "+5", "5.0", "1e1", "0x5", "", "five"]) {
      const r = await ws.run([...args, flag, value]);
      assertEquals(r.code, 2, `${flag} ${JSON.stringify(value)}: ${r.stderr}`);
      assertStringIncludes(r.stderr, flag);
      assertStringIncludes(r.stderr, JSON.stringify(value));
      assertStringIncludes(r.stderr, "whole number");
    }
  }
});
