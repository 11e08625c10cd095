/**
 * A size setting given as text that is not a whole number of bytes
 * (`--parallel-threshold 1.5`, `VC_RANGE_SIZE=100000.5`, `"100000.5B"` in a
 * config file) was rounded down without a word (1.5 became 1 byte), while
 * the number 1.5 in the config file is refused: the README says a size that
 * is not whole is refused naming the flag, variable or file key.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseSizeText, sizeBytes } from "../src/size.ts";

Deno.test("parseSizeText: exact in decimal, and says whether the size is whole", () => {
  assertEquals(parseSizeText("1.5"), { bytes: 1, whole: false });
  assertEquals(parseSizeText("100000.5B"), { bytes: 100000, whole: false });
  // A fraction of a larger unit is rounded down to whole bytes, as people
  // write sizes (`1.2GiB`); only a fraction of a byte is refused.
  assertEquals(parseSizeText("1.0001KB"), { bytes: 1000, whole: true });
  assertEquals(parseSizeText("1.2GiB"), { bytes: 1288490188, whole: true });
  assertEquals(parseSizeText("4.35KB"), { bytes: 4350, whole: true });
  assertEquals(parseSizeText("1.5 GiB"), { bytes: 1.5 * 2 ** 30, whole: true });
  assertEquals(parseSizeText("lots"), undefined);
  // The library's reading rounds down; every size flag refuses (cli_size_flag_whole_bytes_test.ts).
  assertEquals(sizeBytes("1.5"), 1);
});

Deno.test("resolveSettings: a size variable that is not whole bytes is refused", () => {
  for (const [name, value] of [["VC_PARALLEL_THRESHOLD", "1.5"], ["VC_RANGE_SIZE", "100000.5"]]) {
    assertThrows(
      () => resolveSettings({ configPath: false, cwd: "/w", env: { HOME: "/h", [name!]: value! } }),
      InvalidInputError,
      `${name} must be a whole number of bytes, got "${value}"`,
    );
  }
  const s = resolveSettings({
    configPath: false,
    cwd: "/w",
    env: { HOME: "/h", VC_PARALLEL_THRESHOLD: "1.5KB" },
  });
  assertEquals(s.parallelThreshold, 1500);
});

Deno.test("vc: a size flag, variable or file key that is not whole bytes is refused", async () => {
  await using ws = await CliWorkspace.create();
  const config = (flags: string[], env: Record<string, string> = {}) =>
    ws.run(["config", "--bucket", ws.bucket, ...flags], env);
  assertFailure(await config(["--parallel-threshold", "1.5"]), 2, "--parallel-threshold", "whole");
  assertFailure(await config(["--range-size=100000.5"]), 2, "--range-size", "100000.5");
  assertFailure(await config([], { VC_RANGE_SIZE: "100000.5" }), 1, "VC_RANGE_SIZE", "whole");
  const file = await ws.write("home/bad.json", '{ "parallelThreshold": "100000.5B" }');
  assertFailure(await config([], { VC_CONFIG: file }), 1, file, '"parallelThreshold"', "whole");
  const ok = await config(["--range-size", "1.5MiB"]);
  assertEquals(ok.code, 0, ok.stderr);
  const rounded = await config(["--range-size", "1.2MiB"]);
  assertEquals(rounded.code, 0, rounded.stderr);
});

Deno.test("resolveSettings: a size variable past 2^53 bytes is said to be too large, not to be no size", () => {
  // "must be a number of bytes or a size such as 64MiB" for a number of
  // bytes sent the user looking for a typo; the flags said "too large".
  for (const value of ["99999999999999999999", "100PB"]) {
    assertThrows(
      () =>
        resolveSettings({
          configPath: false,
          cwd: "/w",
          env: { HOME: "/h", VC_RANGE_SIZE: value },
        }),
      InvalidInputError,
      `VC_RANGE_SIZE "${value}" is too large`,
    );
  }
});
