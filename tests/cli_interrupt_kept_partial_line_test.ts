/**
 * `vc get`, `vc path`, `vc cat` and `vc sync` of a large versioned asset interrupted
 * mid-download keep its partial for the next run (see
 * cli_get_resumes_partial_test.ts), but ended on a bare `vc: get
 * interrupted`, as if the bytes in were lost. The last line now names the
 * object, how far it got and that the next run resumes it (exit 130 all the
 * same; `vc sync` in its interrupted line), as `vc cache get` and
 * `vc prefill` say it.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { lastLine } from "./interrupt_helpers.ts";

const MiB = 1024 * 1024;

for (
  const [name, args] of [
    ["get", ["get", "/d/big.bin", "out.bin"]],
    ["path", ["path", "/d/big.bin"]],
    ["cat", ["cat", "/d/big.bin"]],
    ["sync", ["sync", "out"]],
  ] as const
) {
  Deno.test(`vc ${name} interrupted mid-download says what it kept for the next run`, async () => {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    await s3.putObject("b", "d/big.1.0.0.bin", randomBytes(8 * MiB, 5));
    const dir = await Deno.makeTempDir({ prefix: "vc-interrupt-kept-" });
    const cacheDir = join(dir, "cache");
    const env = {
      HOME: dir,
      VC_CACHE_DIR: cacheDir,
      VC_BUCKET: "s3://b",
      // 1 MiB ranges, one at a time: the prefix grows range by range.
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
      await withProcessEnv(env, async () => {
        await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/d/big.bin": "1.0.0"}\n');
        // The first GETs arrive; from the fifth on, the store holds its answers back.
        let seen = 0;
        s3.faults = { latencyMs: 30_000, match: (t) => t.op === "GetObject" && ++seen >= 5 };
        const stop = new AbortController();
        const io = memoryIo({ env, cwd: dir, signal: stop.signal });
        const running = runCli([...args], io);
        // Ctrl-C once a resume note names a first MiB kept.
        const kept = async () => {
          const note = (await tempFiles(cacheDir)).find((p) => p.endsWith("-resume"));
          try {
            return note === undefined ? 0 : JSON.parse(await Deno.readTextFile(note)).done;
          } catch {
            return 0; // being written
          }
        };
        for (let i = 0; i < 1200 && await kept() === 0; i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        assert(await kept() >= MiB, "a first MiB kept");
        stop.abort(new DOMException("interrupted", "AbortError"));
        assertEquals(await running, 130, io.stderr());
        // What the note says once the command has ended (ranges in flight
        // when the signal came may have landed since the look above).
        const done: number = await kept();
        assert(done >= MiB, `kept ${done} bytes`);
        const said = `stopped at ${(done / 1e6).toFixed(1)} MB of 8.4 MB, kept for the next run ` +
          "to resume";
        if (name === "sync") {
          assertStringIncludes(
            lastLine(io.stderr()),
            `0 failed; /d/big.bin ${said}; the rest was not copied: run it again to finish`,
          );
        } else {
          assertEquals(
            lastLine(io.stderr()),
            `vc: ${name} interrupted: s3://b/d/big.1.0.0.bin ${said}: run it again to finish`,
          );
        }
        assertEquals((await tempFiles(cacheDir)).length, 2, "the partial and its note are kept");
      });
    } finally {
      s3.clearFaults();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
