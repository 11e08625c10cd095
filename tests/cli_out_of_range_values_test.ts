/**
 * Values that look like numbers but are none a person means are usage
 * errors naming the input, never taken: digits past a double's range read
 * as Infinity (a timeout of "Infinitys", a prune age that never matches, a
 * claim that never lapses), sizes past 2^53 bytes no longer count bytes,
 * `VC_LOCK_WAIT=0x10` was 16 s, and `--port ""` read as 0 served on a
 * random port without a word.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { parseDuration, parseSize } from "../src/cli/units.ts";
import { parseDurationSeconds } from "../src/config.ts";
import { parseLockWait } from "../src/cache/cache_errors.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

const HUGE = "9".repeat(400);

Deno.test("units: sizes and durations past a number's range are refused", () => {
  for (const text of [HUGE, `${HUGE}GB`, "99999999999999999999", "9007199254740993"]) {
    assertThrows(() => parseSize(text, "--max-size"), Error, "is too large");
  }
  for (const text of [`${HUGE}d`, `${HUGE}ms`, `1h${HUGE}s`]) {
    assertThrows(
      () => parseDuration(text, "--older-than"),
      Error,
      "--older-than: invalid duration",
    );
    assertThrows(() => parseDurationSeconds(text, "VC_CACHE_TIMEOUT"), Error, "VC_CACHE_TIMEOUT");
  }
  assertThrows(() => parseDurationSeconds(HUGE, "VC_CACHE_TIMEOUT"), Error, "VC_CACHE_TIMEOUT");
  // Seconds are decimal digits, as every other setting reads them.
  for (const text of ["0x10", "0b1", "1e3", "Infinity"]) {
    assertThrows(() => parseLockWait(text), Error, `VC_LOCK_WAIT must be a number of seconds`);
  }
  assertEquals(parseLockWait(" 2.5 "), 2.5);
  // The largest values still read.
  assertEquals(parseSize("9007199254740991"), Number.MAX_SAFE_INTEGER);
  assertEquals(parseDuration("99999999d"), 99999999 * 86_400_000);
});

Deno.test("cli: an out-of-range value is an error naming the flag or variable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/tokens.json`, "{}");
    const stopped = AbortSignal.abort();
    // A bad setting from the environment exits 1, as every bad setting does.
    const cases: { args: string[]; env?: Record<string, string>; says: string; exit?: number }[] = [
      { args: ["cache", "prune", "--older-than", `${HUGE}d`], says: "--older-than" },
      { args: ["cache", "prune", "--max-size", HUGE], says: "--max-size" },
      { args: ["repo", "claim", "--ttl", HUGE], says: "--ttl" },
      { args: ["config"], env: { VC_CACHE_TIMEOUT: HUGE }, says: "VC_CACHE_TIMEOUT", exit: 1 },
      ...["", " ", "0x1F90", "1e3", "80.0"].map((port) => ({
        args: [
          "serve",
          "--store",
          `file://${dir}/st`,
          "--token-file",
          `${dir}/tokens.json`,
          "--port",
          port,
        ],
        says: `--port must be a whole number from 0 to 65535, got ${JSON.stringify(port)}`,
      })),
    ];
    for (const { args, env, says, exit } of cases) {
      const io = memoryIo({ cwd: dir, env: { HOME: dir, ...env }, signal: stopped });
      const code = await runCli(args, io);
      assertEquals(code, exit ?? 2, `${args.join(" ")}: ${io.stderr()}`);
      assertStringIncludes(io.stderr(), says);
      assertEquals(io.stderr().includes("    at "), false, io.stderr());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
