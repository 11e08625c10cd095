/**
 * "Did you mean …?" guesses a typo, not another word of the same length:
 * `vc repo gc --keep 3` answered "did you mean --help?" (two of four letters
 * changed), a guess that sends the user to the wrong flag. A four-letter word
 * now takes one edit (a swap, a letter more, less or changed), as a
 * three-letter word did; longer words still take two.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { closest } from "../src/suggest.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("a four-letter flag two edits from one is not guessed as it", async () => {
  for (
    const args of [["repo", "gc", "--keep", "3"], ["ls", "--jobs", "2"], ["path", "/a", "--ttl"]]
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown flag ${args.find((a) => a.startsWith("--"))}`);
    assert(!r.stderr.includes("did you mean"), `${args.join(" ")}: ${r.stderr}`);
  }
  assertEquals(closest("keep", ["help", "json"]), undefined);
});

Deno.test("typos of short words are still guessed", async () => {
  for (
    const [args, guess] of [
      [["ls", "--hlep"], "--help"], // a swap
      [["path", "/a", "--jsn"], "--json"], // a letter less
      [["ls", "--quiett"], "--quiet"], // a letter more
      [["repo", "gc", "--dry-rnu"], "--dry-run"], // a longer word: two edits still
    ] as const
  ) {
    const r = await vc(...args);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `did you mean ${guess}?`, args.join(" "));
  }
  assertEquals(closest("gte", ["get", "ls"]), "get");
  assertEquals(closest("lokc", ["lock", "ls"]), "lock");
  assertEquals(closest("verfy", ["verify", "versions"]), "verify");
});
