/**
 * `vc prefill` counts items: a run of a few large objects sat at `0%  0/1`
 * for the minutes each download took, its bytes moving but no percentage or
 * ETA. The item being downloaded now comes with its own progress (`step`),
 * drawn after its name as `vc sync` draws its entries':
 * `/big.bin: downloading 45%`.
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { prefill, type PrefillProgress } from "../src/prefill/prefill.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { testAwsEnv } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { tempDir } from "./versioned_helpers.ts";

const SIZE = 3 * 1024 * 1024;

Deno.test("prefill reports the download of the item in hand as its step", async () => {
  await using dir = await tempDir();
  const src = join(dir.path, "src");
  await Deno.mkdir(src);
  await Deno.writeFile(join(src, "big.bin"), new Uint8Array(SIZE).fill(3));
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  const uri = toFileUrl(join(src, "big.bin")).href;
  const seen: PrefillProgress[] = [];
  const summary = await prefill({
    cache,
    uris: [uri],
    onProgress: (p) => void seen.push({ ...p }),
  });
  assertEquals(summary.fetched, 1);
  const steps = seen.filter((p) => p.step !== undefined);
  const shown = JSON.stringify(steps.slice(0, 3)) + "…" + JSON.stringify(steps.slice(-2));
  assert(steps.length >= 1, `the download was reported as a step: ${JSON.stringify(seen)}`);
  assert(steps.every((p) => p.current === uri && p.done === 0), shown);
  assert(steps.every((p) => p.step!.name === "downloading" && p.step!.total === SIZE), shown);
  assertEquals(steps.at(-1)!.step!.bytes, SIZE, shown);
  // The item's end is reported without a step: `done` tells it.
  assertEquals(seen.at(-1), { done: 1, total: 1, failed: 0, bytes: SIZE, current: uri });
  // Already cached: no download, no step.
  const again: PrefillProgress[] = [];
  await prefill({ cache, uris: [uri], onProgress: (p) => void again.push({ ...p }) });
  assert(again.every((p) => p.step === undefined), JSON.stringify(again));
});

Deno.test("vc prefill draws the item's download percentage after its name", async () => {
  // Each GET answers 100 ms late: the download of 16 ranges spans several redraws.
  await using s3 = await startFakeS3({ buckets: ["b"], latencyMs: 100 });
  await s3.putObject("b", "big.bin", new Uint8Array(SIZE / 3).fill(5));
  await using ws = await CliWorkspace.create();
  await ws.write("list.txt", "s3://b/big.bin\n");
  const env = {
    ...ws.env,
    ...testAwsEnv(s3.url),
    VC_PARALLEL_THRESHOLD: "64KiB",
    VC_RANGE_SIZE: "64KiB",
    TERM: "xterm",
  };
  const io = memoryIo({ env, cwd: ws.dir, stderrIsTerminal: true });
  // The S3 client reads its credentials from the process environment.
  await withProcessEnv(testAwsEnv(s3.url), async () => {
    assertEquals(await runCli(["prefill", "--list", "list.txt"], io), 0, io.stderr());
  });
  // On 80 columns the item's name is cut from its start; its percentage
  // stays (after the name's end where the step's word has no room).
  assert(
    /0\/1 .*(big\.bin: downloading|…\S*big\.bin) \d+%\r/.test(io.stderr()),
    JSON.stringify(io.stderr()),
  );
  assert(io.stderr().endsWith("\r\x1b[K"), JSON.stringify(io.stderr().slice(-200)));
});
