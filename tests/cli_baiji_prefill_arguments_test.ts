/**
 * baiji-pod's prefill runner took its list as an argument and its manifest
 * and bucket with argparse's `_` flags (`baiji-prefill FILE --vc_manifest M
 * --vc_bucket B`). Typed that way, `vc prefill` said only `unexpected
 * argument "FILE"` and `unknown flag --vc_manifest`, with no way on. It now
 * names the flag to use: `--list FILE`, `--manifest`, `--bucket`; argparse's
 * `_` spelling of any flag (`--min_version`) is taken for its `-` spelling.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("vc prefill FILE, as baiji-prefill took its list, names --list FILE", async () => {
  const r = await vc("prefill", "ci/prefill.yaml", "my list.txt");
  assertFailure(r, 2, 'unexpected arguments "ci/prefill.yaml" "my list.txt"');
  assertStringIncludes(r.stderr, "--list ci/prefill.yaml --list 'my list.txt'");
});

Deno.test("baiji-pod's argparse flags are guessed as vc's", async () => {
  for (
    const [args, guess] of [
      [["prefill", "--vc_manifest", "m.json"], "--manifest"],
      [["prefill", "--vc_bucket", "b"], "--bucket"],
      [["update", "/a.csv", "a.csv", "--min_version", "2"], "--min-version"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown flag ${args.find((a) => a.startsWith("--"))}`);
    assertStringIncludes(r.stderr, `did you mean ${guess}?`, args.join(" "));
  }
});
