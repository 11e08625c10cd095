/**
 * `vc cache verify` hashes every cached copy: one large copy takes seconds a
 * GB, and its bar, told only after each entry, drew nothing until the first
 * was done (a cache of one large copy: nothing at all until the end). It is
 * told at the start and as the copies are read, by bytes.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { VerifyProgress } from "../src/cache/maintenance.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const BIG = 3 * 1024 * 1024;

Deno.test("cache verify reports the bytes read, from the start, before an entry is done", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(BIG).fill(1));
    await Deno.writeTextFile(`${dir}/small.txt`, "small");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    await cache.cache(`file://${dir}/big.bin`);
    await cache.cache(`file://${dir}/small.txt`);
    const seen: VerifyProgress[] = [];
    const r = await cache.verify({ onProgress: (p) => seen.push({ ...p }) });
    assertEquals(r.ok, 2);
    const total = BIG + 5;
    const shown = JSON.stringify(seen);
    assertEquals(seen[0], { done: 0, total: 2, bytes: 0, totalBytes: total }, shown);
    assert(
      seen.some((p) => p.done === 0 && (p.bytes ?? 0) > 0 && p.bytes! < total),
      `bytes reported before an entry is done: ${shown}`,
    );
    assert(
      seen.every((p, i) => i === 0 || p.bytes! >= seen[i - 1]!.bytes!),
      `bytes never go back: ${shown}`,
    );
    assertEquals(seen.at(-1), { done: 2, total: 2, bytes: total, totalBytes: total }, shown);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc cache verify draws its bar by bytes on a terminal, nothing when piped", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/big.bin", "b".repeat(BIG));
  assertEquals((await ws.run(["cache", "get", `${ws.bucket}/big.bin`])).code, 0);
  const env = { ...ws.env, TERM: "xterm" };
  const io = memoryIo({ env, cwd: ws.dir, stderrIsTerminal: true });
  assertEquals(await runCli(["cache", "verify"], io), 0, io.stderr());
  // The first line, drawn at once: the bytes to read, before the entry is done.
  assertStringIncludes(io.stderr(), "0/1  0 B/3.1 MB");
  assert(io.stderr().endsWith("\r\x1b[K"), JSON.stringify(io.stderr()));
  const piped = memoryIo({ env, cwd: ws.dir });
  assertEquals(await runCli(["cache", "verify"], piped), 0, piped.stderr());
  assertEquals(piped.stderr(), "");
});
