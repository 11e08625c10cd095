/**
 * A CI engineer writes the parallelism flag of the tool they know: `make -j`,
 * `cargo --jobs`, GNU parallel's `--jobs`, rclone's `--transfers`, `xargs -P`
 * / `--max-procs`, `--parallel`, `--threads`, `--workers`. `vc prefill --jobs
 * 8` was "unknown flag --jobs" with no guess, and `vc prefill -j 8` guessed
 * `--json` (the one long flag that starts with j), which then read `8` as a
 * stray argument. Where the command takes `--concurrency`, these names now
 * point at it; elsewhere they keep their usual guess (or none).
 */
import { parseCommandArgs } from "../src/cli/args.ts";
import { UsageError } from "../src/cli/errors.ts";
import { assert, assertEquals } from "./assert.ts";

const withConcurrency = {
  command: "prefill",
  options: { concurrency: { type: "string" as const, description: "downloads in flight" } },
  positionals: [],
  required: 0,
};
const without = {
  command: "cache get",
  options: {},
  positionals: ["URI"],
  required: 1,
};

function hintFor(args: string[], spec: typeof withConcurrency | typeof without) {
  try {
    parseCommandArgs(args, spec);
  } catch (e) {
    assert(e instanceof UsageError, String(e));
    return e.hint;
  }
  throw new Error(`${args.join(" ")} was accepted`);
}

Deno.test("parallelism flags of other tools point at --concurrency", () => {
  for (
    const flag of [
      "--jobs",
      "-j",
      "-J",
      "--parallel",
      "--parallelism",
      "--threads",
      "--workers",
      "--transfers",
      "--max-procs",
      "-P",
    ]
  ) {
    assertEquals(hintFor([flag, "8"], withConcurrency), "did you mean --concurrency?", flag);
    assertEquals(hintFor([`${flag}=8`], withConcurrency), "did you mean --concurrency?", flag);
  }
  // A typo of --concurrency itself keeps its guess.
  assertEquals(hintFor(["--concurency", "8"], withConcurrency), "did you mean --concurrency?");
});

Deno.test("without --concurrency, -j still guesses --json and --jobs guesses nothing", () => {
  assertEquals(hintFor(["s3://b/k", "-j"], without), "did you mean --json?");
  assertEquals(hintFor(["s3://b/k", "--jobs", "8"], without), undefined);
});
