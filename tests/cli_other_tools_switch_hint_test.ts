/**
 * Switches other tools spell differently, typed on vc, got the guess of
 * their first letter: `vc cache prune -n` (rsync's, git clean's and make's
 * dry run) was asked `did you mean --no-sign-request?`, and `vc ls -o json`
 * (kubectl's, the aws CLI's `--output json`) `did you mean --offline?`, a
 * flag that does something else and leaves `json` an unexpected argument.
 * They now name vc's own: `--dry-run`, `--json`, `--quiet`, `--verbose`.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("-n is taken for --dry-run where the command has one, never for --no-sign-request", async () => {
  for (
    const args of [
      ["cache", "prune", "--max-size", "1GB", "-n"],
      ["mirror", "./data", "s3://b/data", "-n"],
      ["repo", "gc", "-n"],
    ]
  ) {
    const r = await vc(...args);
    assertEquals(r.code, 2, args.join(" "));
    assertStringIncludes(r.stderr, "did you mean --dry-run?", args.join(" "));
  }
  const ls = await vc("ls", "-n");
  assertEquals(ls.code, 2);
  assert(!ls.stderr.includes("--no-sign-request"), ls.stderr);
});

Deno.test("another tool's output-format switch names --json", async () => {
  for (
    const args of [
      ["ls", "-o", "json"],
      ["ls", "--output", "json"],
      ["ls", "--output=json"],
      ["prefill", "--format", "JSON"],
      ["cache", "ls", "--output-format", "json"],
    ]
  ) {
    const r = await vc(...args);
    assertEquals(r.code, 2, args.join(" "));
    assertStringIncludes(r.stderr, "did you mean --json?", args.join(" "));
    assert(!r.stderr.includes("--offline"), r.stderr);
  }
  // -o alone keeps its guess (a name cut short, `vc get /a.csv -o`).
  assertStringIncludes((await vc("get", "/a.csv", "-o")).stderr, "did you mean --offline?");
});

Deno.test("--silent and --debug name --quiet and --verbose", async () => {
  assertStringIncludes((await vc("prefill", "--silent")).stderr, "did you mean --quiet?");
  assertStringIncludes((await vc("ls", "--debug")).stderr, "did you mean --verbose?");
});
