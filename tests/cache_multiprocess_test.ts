/**
 * The asset cache across processes: children (`deno run` of
 * fixtures/cache_child.ts) talk to a fake S3 server started here, over
 * 127.0.0.1.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { md5Hex } from "../src/hash.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { fileURLToPath as fromFileUrl } from "node:url";
import { join } from "node:path";
import { testS3Options } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;
const CHILD = fromFileUrl(new URL("./fixtures/cache_child.ts", import.meta.url));
const CONFIG = fromFileUrl(new URL("../deno.json", import.meta.url));

interface ChildLine {
  ready?: boolean;
  uri?: string;
  path?: string;
  md5?: string;
  error?: string;
  message?: string;
}

function spawnChild(
  config: Record<string, unknown>,
  permissions = ["--allow-all"],
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--config=${CONFIG}`,
      ...permissions,
      CHILD,
      JSON.stringify(config),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function output(child: Deno.ChildProcess): Promise<ChildLine[]> {
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) throw new Error(`child exited ${code}: ${new TextDecoder().decode(stderr)}`);
  return text.trim().split("\n").map((l) => JSON.parse(l) as ChildLine);
}

function s3Store(s3: FakeS3) {
  // The store's own default number of attempts, as the child processes use.
  const { maxAttempts: _, ...options } = testS3Options(s3).s3!;
  return { s3: options };
}

Deno.test("8 processes asking for one cold asset download it once", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-mp-" });
  try {
    const data = randomBytes(4 * MiB, 3);
    await s3.putObject("b", "shared/asset.bin", data);
    // Slow enough that the children overlap.
    s3.faults = { latencyMs: 300 };
    const config = { cacheDir: dir, endpoint: s3.url, uris: ["s3://b/shared/asset.bin"] };
    const children = Array.from({ length: 8 }, () => spawnChild(config));
    const results = await Promise.all(children.map(output));
    const lines = results.map((r) => r.find((l) => l.uri !== undefined)!);
    for (const line of lines) {
      assertEquals(line.error, undefined, line.message);
      assertEquals(line.md5, md5Hex(data));
    }
    assertEquals(new Set(lines.map((l) => l.path)).size, 1);
    assertEquals(s3.stats.GetObject, 1);
    assertEquals(await tempFiles(dir), []);
    // The lock is the record file itself: no lock files anywhere.
    await assertRejects(() => Deno.stat(join(dir, ".locks")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "kill -9 mid-download leaves no file at the final path; the next call recovers",
  ignore: Deno.build.os === "windows", // no SIGKILL there
  async fn() {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    const dir = await Deno.makeTempDir({ prefix: "vc-cache-kill-" });
    try {
      const data = randomBytes(40 * MiB, 8);
      await s3.putObject("b", "big.bin", data);
      // Many small ranges, one at a time, each delayed: the download takes seconds.
      s3.faults = { latencyMs: 150 };
      const child = spawnChild({
        cacheDir: dir,
        endpoint: s3.url,
        uris: ["s3://b/big.bin"],
        download: { concurrency: 1, partSize: MiB },
      });
      const final = join(dir, `s3@127.0.0.1_${s3.port}`, "b", "big.bin");
      // Wait until the temp file holds some (but not all) bytes.
      const deadline = Date.now() + 60_000;
      let partial = 0;
      while (Date.now() < deadline) {
        const temps = await tempFiles(dir);
        const sizes = await Promise.all(temps.map(async (t) => (await Deno.stat(t)).size));
        partial = Math.max(0, ...sizes);
        if (partial >= 2 * MiB) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert(partial >= 2 * MiB && partial < data.length, `temp file size ${partial}`);
      child.kill("SIGKILL");
      const status = await child.status;
      assertEquals(status.signal, "SIGKILL");
      await child.stdout.cancel();
      await child.stderr.cancel();

      // Nothing at the final path, no record; the temp file (the entry's
      // lock) is left behind, its lock died with the process, and beside it
      // how far it got (the next download resumes it) and the note naming
      // the dead holder (for waiters; unlocked now, so no longer believed).
      let exists = true;
      await Deno.stat(final).catch(() => (exists = false));
      assert(!exists, `${final} must not exist after the kill`);
      assertEquals(
        (await tempFiles(dir)).map((t) => t.slice(t.lastIndexOf("/") + 1)).sort(),
        [".big.bin.vc-tmp-0-holder", ".big.bin.vc-tmp-0-resume", ".big.bin.vc-tmp-0-shared"],
      );
      const journal = join(dir, ".meta", `s3@127.0.0.1_${s3.port}`, "b", "%records.jsonl");
      await assertRejects(() => Deno.lstat(journal), Deno.errors.NotFound);

      // A fresh cache takes the dead process's lock at once and downloads a verified copy.
      s3.clearFaults();
      const t0 = Date.now();
      await using cache = new AssetCache({
        cacheDir: dir,
        configPath: false,
        env: {},
        store: s3Store(s3),
      });
      const path = await cache.cache("s3://b/big.bin");
      assert(Date.now() - t0 < 20_000, "the dead process's lock must be broken promptly");
      assertEquals(path, final);
      assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
      // Maintenance sweeps the debris once it is old enough.
      const old = new Date(Date.now() - 2 * 3600_000);
      for (const t of await tempFiles(dir)) await Deno.utime(t, old, old);
      await cache.prune({});
      assertEquals(await tempFiles(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("read-only cache dir (write permission denied): warm hits served, cold misses name the dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-ro-" });
  try {
    const cacheDir = join(dir, "cache");
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "warm.csv"), "w");
    await Deno.writeTextFile(join(dir, "src", "cold.csv"), "c");
    const warmUri = `file://${dir}/src/warm.csv`;
    const coldUri = `file://${dir}/src/cold.csv`;
    let warmPath: string;
    {
      await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
      warmPath = await cache.cache(warmUri);
    }
    // The child may write elsewhere, but not in the cache dir: the same as a
    // read-only mount, and it works even when the tests run as root.
    const child = spawnChild(
      { cacheDir, uris: [warmUri, coldUri], timeout: 0 },
      ["--allow-read", "--allow-env", `--allow-write=${join(dir, "src")}`, "--allow-sys"],
    );
    const lines = (await output(child)).filter((l) => l.uri !== undefined);
    assertEquals(lines[0]?.path, warmPath);
    assertEquals(lines[0]?.error, undefined, lines[0]?.message);
    // Deno's permission, not the file system, refused: said as such.
    assertEquals(lines[1]?.error, "AccessDeniedError");
    assertStringIncludes(lines[1]!.message!, `--allow-write=${cacheDir}`);
    assertStringIncludes(lines[1]!.message!, coldUri);
    assertEquals(await Deno.readTextFile(warmPath), "w");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
