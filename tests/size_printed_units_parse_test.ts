/**
 * A size vc prints (`vc cache ls`, `prune`'s "freed 1.2 PB", the progress
 * bars) is one `--max-size` and the size settings take back: `formatBytes`
 * went up to PB while the parser stopped at TB/TiB, so `--max-size 1PB`,
 * copied from vc's own output, was "invalid size".
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { parseSize } from "../src/cli/units.ts";
import { formatBytes } from "../src/progress.ts";
import { sizeBytes } from "../src/size.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

Deno.test("sizes: every unit formatBytes prints parses back to about the same bytes", () => {
  for (const bytes of [999, 1_500, 2_500_000, 3.5e9, 4.5e12, 1.2e15, 8e15]) {
    const printed = formatBytes(bytes);
    const parsed = parseSize(printed, "--max-size");
    // formatBytes keeps one decimal: within 5% of the unit it printed.
    assertEquals(Math.abs(parsed - bytes) <= bytes * 0.05, true, `${printed} read as ${parsed}`);
  }
});

Deno.test("sizes: PB and PiB (and P) are units, up to the 2^53-byte limit", () => {
  assertEquals(sizeBytes("1PB"), 1e15);
  assertEquals(sizeBytes("1.5 pb"), 1.5e15);
  assertEquals(sizeBytes("2P"), 2e15);
  assertEquals(sizeBytes("1PiB"), 2 ** 50);
  assertEquals(sizeBytes("7.5PiB"), 7.5 * 2 ** 50);
  assertThrows(
    () => parseSize("8PiB", "--max-size"),
    Error,
    '--max-size: size "8PiB" is too large',
  );
  assertThrows(() => parseSize("1EB", "--max-size"), Error, '--max-size: invalid size "1EB"');
});

Deno.test("vc cache prune --max-size 1PB --dry-run is taken (an empty cache: nothing to remove)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-size-pb-" });
  try {
    const io = memoryIo({ cwd: dir, env: { HOME: dir, VC_CACHE_DIR: `${dir}/cache` } });
    const code = await runCli(["cache", "prune", "--max-size", "1PB", "--dry-run", "--json"], io);
    assertEquals(code, 0, io.stderr());
    const result = JSON.parse(io.stdout());
    assertEquals(result.removed, []);
    assertEquals(result.dryRun, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the too-large hint's example is a size the parser takes", () => {
  const e = assertThrows(() => parseSize("99999999999TB", "--max-size"));
  const hint = String((e as { hint?: string }).hint);
  assertStringIncludes(hint, "8000TB");
  assertEquals(sizeBytes("8000TB"), 8e15);
});
