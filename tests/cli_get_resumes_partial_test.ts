/**
 * `vc get` of a large versioned asset that a run leaves unfinished (Ctrl-C,
 * the store gone) keeps the cache's partial (`.NAME.vc-tmp-0-shared`) and
 * its resume note (`.NAME.vc-tmp-0-resume`), as `vc cache get` does; the
 * next `vc get` asks only for the rest and leaves neither behind. The
 * README named only `cache()`, `vc cache get` and `vc prefill` as resuming.
 */
import { join } from "node:path";
import { type RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { md5Hex } from "../src/hash.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { assert, assertEquals } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";

const MiB = 1024 * 1024;

for (
  const [name, args] of [
    ["get", ["get", "/d/big.bin", "out.bin"]],
    ["path", ["path", "/d/big.bin"]],
    ["cat", ["cat", "/d/big.bin"]],
    ["sync", ["sync", "out"]],
  ] as const
) {
  Deno.test(`vc ${name} resumes the partial download an earlier run left in the cache`, async () => {
    const gets: RequestLogEntry[] = [];
    await using s3 = await startFakeS3({
      buckets: ["b"],
      onRequest: (e) => void (e.op === "GetObject" && gets.push(e)),
    });
    const data = randomBytes(8 * MiB, 7);
    await s3.putObject("b", "d/big.1.0.0.bin", data);
    const dir = await Deno.makeTempDir({ prefix: "vc-get-resume-" });
    const cacheDir = join(dir, "cache");
    const env = {
      HOME: dir,
      VC_CACHE_DIR: cacheDir,
      VC_BUCKET: "s3://b",
      // 1 MiB ranges, so the run stops part way through.
      VC_PARALLEL_THRESHOLD: "1MiB",
      VC_RANGE_SIZE: "1MiB",
      AWS_MAX_ATTEMPTS: "1",
      AWS_ENDPOINT_URL: s3.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
    };
    try {
      // The S3 client reads the process environment.
      await withProcessEnv(env, async () => {
        await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/d/big.bin": "1.0.0"}\n');
        // The first GET (range 0) and three more arrive; then the store stops answering.
        let seen = 0;
        s3.failNext(1000, "internal", (t) => t.op === "GetObject" && ++seen >= 5);
        const cut = memoryIo({ env, cwd: dir });
        assertEquals(await runCli([...args], cut), 1, cut.stderr());
        const left = (await tempFiles(cacheDir)).map((f) => f.slice(f.lastIndexOf("/") + 1));
        assertEquals(left.sort(), [
          ".big.1.0.0.bin.vc-tmp-0-resume",
          ".big.1.0.0.bin.vc-tmp-0-shared",
        ]);

        s3.clearFaults();
        gets.length = 0;
        const again = memoryIo({ env, cwd: dir });
        assertEquals(await runCli([...args], again), 0, again.stderr());
        // The cached copy is whole (it is verified before it takes its name).
        const d = join(cacheDir, `s3@${new URL(s3.url).host.replace(":", "_")}`, "b", "d");
        assertEquals(md5Hex(await Deno.readFile(join(d, "big.1.0.0.bin"))), md5Hex(data));
        const starts = gets.map((g) =>
          Number(/^bytes=(\d+)-/.exec(g.headers.range ?? "")?.[1] ?? 0)
        );
        // The kept first MiB is not asked for again.
        assert(starts.length > 0 && starts.every((s) => s >= MiB), `restarted: ${starts}`);
        assert(gets.every((g) => g.headers["if-match"] !== undefined), "every resume is If-Match");
        assertEquals(await tempFiles(cacheDir), []);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
