/**
 * A one-shot `vc mirror` stopped by Ctrl-C (its signal) says what it really
 * did before it stopped, in one last line (also off a terminal, and with
 * --json as the report): the files that went up and their bytes, and the
 * transfer it cut short, which is not counted as done.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { mirror, MirrorInterruptedError } from "../src/mirror/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { testAwsEnv } from "./cli_process.ts";
import { requestsEnding } from "./interrupt_helpers.ts";

/** Mirrors 3 small files and a slow one (its PUT delayed), aborting once that PUT has reached the server. */
async function interrupted(
  run: (dir: string, signal: AbortSignal, url: string) => Promise<void>,
): Promise<void> {
  const requests = requestsEnding();
  await using s3 = await startFakeS3({ buckets: ["b"], onRequest: requests.onRequest });
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_int_" }));
  try {
    await Deno.mkdir(join(dir, "data"));
    for (const name of ["a.txt", "b.txt", "c.txt"]) {
      await Deno.writeTextFile(join(dir, "data", name), name.repeat(1000));
    }
    await Deno.writeFile(join(dir, "data", "z.bin"), new Uint8Array(300_000).fill(1));
    s3.setFaults({ latencyMs: 3_000, match: (t) => t.op === "PutObject" && t.key === "p/z.bin" });
    const stop = new AbortController();
    const watcher = (async () => {
      for (let i = 0; i < 500 && !stop.signal.aborted; i++) {
        if ((s3.stats.PutObject ?? 0) >= 4) {
          await new Promise((r) => setTimeout(r, 100));
          stop.abort(new DOMException("interrupted", "AbortError"));
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await withProcessEnv(testAwsEnv(s3.url), () => run(dir, stop.signal, s3.url));
    await watcher;
    await requests.settled(s3, 3_000 + 5_000); // the delayed PUT ends on the server
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("mirror(): an interrupted run throws what it really did", async () => {
  await interrupted(async (dir, signal) => {
    let progress = 0;
    const error = await mirror({
      sources: [join(dir, "data")],
      target: "s3://b/p",
      statePath: join(dir, "state.sqlite"),
      concurrency: 1,
      signal,
      onProgress: (p) => progress = p.done,
    }).then(() => undefined, (e) => e);
    assert(error instanceof MirrorInterruptedError, String(error));
    assertEquals(error.report.transferred, 3);
    assertEquals(error.report.bytes, 15_000);
    assertEquals(error.report.cutShort, ["z.bin"]);
    assertEquals(error.report.interrupted, true);
    assertEquals(progress, 3, "the aborted upload is not counted as done");
  });
});

Deno.test("vc mirror: Ctrl-C ends with a line saying what was done, and --json the report", async () => {
  await interrupted(async (dir, signal) => {
    const io = memoryIo({ cwd: dir, signal, env: { VC_CACHE_DIR: join(dir, "cache") } });
    const code = await runCli(
      ["mirror", "data", "s3://b/p", "--concurrency", "1", "--state", "s.db"],
      io,
    );
    assertEquals(code, 130, io.stderr());
    const last = io.stderr().trim().split("\n").at(-1) ?? "";
    assertStringIncludes(last, "mirror interrupted: 3 uploaded (15.0 kB)");
    assertStringIncludes(last, "1 cut short (z.bin;");
  });
  await interrupted(async (dir, signal) => {
    const io = memoryIo({ cwd: dir, signal, env: { VC_CACHE_DIR: join(dir, "cache") } });
    const code = await runCli(
      ["mirror", "data", "s3://b/p", "--concurrency", "1", "--state", "s.db", "--json"],
      io,
    );
    assertEquals(code, 130, io.stderr());
    const report = JSON.parse(io.stdout());
    assertEquals([report.interrupted, report.transferred, report.cutShort], [true, 3, ["z.bin"]]);
  });
});
