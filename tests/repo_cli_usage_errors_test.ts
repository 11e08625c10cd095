/**
 * `vc repo` usage as a user meets it: `vc repo get ID --to FILE --local`
 * (the usage says one or the other) is a usage error, not a copy that drops
 * --local; `vc repo help publish` (help typed after the group) points at
 * `vc help repo publish`.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home", VC_REPO: "file:///nonexistent-repo" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("vc repo get: --to with --local is a usage error naming both", async () => {
  for (const args of [["--to", "out.csv", "--local"], ["--local", "--to", "out.csv"]]) {
    const r = await vc("repo", "get", "1", ...args);
    assertFailure(r, 2, "--to", "--local");
    assertEquals(r.stdout, "");
    const j = await vc("repo", "get", "1", ...args, "--json");
    assertEquals(j.code, 2);
    const doc = JSON.parse(j.stdout);
    assertEquals(doc.error.kind, "InvalidInputError");
    assertEquals(doc.error.exitCode, 2);
  }
});

Deno.test("vc repo help [CMD]: suggests vc help repo [CMD]", async () => {
  for (
    const [args, meant] of [
      [["repo", "help"], "vc help repo"],
      [["repo", "help", "publish"], "vc help repo publish"],
      [["repo", "help", "--repo", "file:///x", "ls"], "vc help repo ls"],
      [["cache", "help", "get"], "vc help cache get"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown command "${args[0]} help"`);
    assertStringIncludes(r.stderr, `did you mean "${meant}"?`);
  }
  // and what it suggests works
  const ok = await vc("help", "repo", "publish");
  assertEquals(ok.code, 0);
  assertStringIncludes(ok.stdout, "vc repo publish");
});

Deno.test("vc repo: a malformed ID or --holder is a usage error before the repository is read", async () => {
  // VC_REPO names no repository: reading it first would exit 1, "not a vc repository".
  for (
    const [args, part] of [
      [["publish", "abc"], 'record id "abc"'],
      [["expire", "0"], 'record id "0"'],
      [["purge", "1.5"], 'record id "1.5"'],
      [["renew", "abc", "--holder", "w", "--ttl", "1m"], 'record id "abc"'],
      [["release", "0", "--holder", "w"], 'record id "0"'],
      [["tag", "0", "x"], 'record id "0"'],
      [["untag", "99999999999999999999", "x"], "too large"],
      [["claim", "--ttl", "1m", "--holder", ""], "--holder"],
      [["claim", "--ttl", "1m", "--holder", "  "], "--holder"],
      [["claim", "--ttl", "1m", "--holder", "a\tb"], "--holder"],
      [["renew", "1", "--ttl", "1m", "--holder", "  "], "--holder"],
      [["release", "1", "--holder", "  "], "--holder"],
    ] as const
  ) {
    const r = await vc("repo", ...args);
    assertFailure(r, 2, part);
  }
});

Deno.test("vc repo gc, check, adopt: a malformed duration is a usage error before the repository is read", async () => {
  // --retention was read once the repository was open: a catalog server
  // down had it wait out the connect retries, then say that, not the typo.
  for (
    const [args, flag] of [
      [["gc", "--retention", "5y"], "--retention"],
      [["gc", "--dry-run", "--retention", "30"], "--retention"],
      [["gc", "--grace", "5y"], "--grace"],
      [["check", "--grace", "5y"], "--grace"],
      [["adopt", "content/a.csv", "/a.csv", "--grace", "5y"], "--grace"],
    ] as const
  ) {
    const r = await vc("repo", ...args);
    assertFailure(r, 2, `${flag}: invalid duration`);
  }
});
