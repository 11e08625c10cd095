/**
 * A script that imports vc from a checkout and runs with `--allow-read` /
 * `--allow-write` for its own directory only: a download large enough for the
 * hash worker hashes on the main thread, with nothing on stderr (Deno printed
 * "error: Uncaught (in worker "") Requires read access to
 * .../download_hash_worker.ts" although the download succeeded).
 */
import { assertEquals } from "./assert.ts";

Deno.test("a download under a narrow --allow-read prints no worker permission error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const big = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    await Deno.writeFile(`${dir}/big.bin`, big);
    const mod = new URL("../mod.ts", import.meta.url).href;
    const script = `import { AssetCache } from ${JSON.stringify(mod)};
const dir = ${JSON.stringify(dir)};
await using c = new AssetCache({
  cacheDir: dir + "/cache", configPath: false, env: {},
  download: { parallelThreshold: 1024, partSize: 65536 },
});
const path = await c.cache("file://" + dir + "/big.bin");
console.log((await Deno.stat(path)).size);
`;
    await Deno.writeTextFile(`${dir}/script.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-config",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        `${dir}/script.ts`,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(stderr, "");
    assertEquals(out.code, 0);
    assertEquals(new TextDecoder().decode(out.stdout).trim(), String(big.length));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
