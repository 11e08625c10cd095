/**
 * A `vc mirror --delete` run names each key it deleted, one `deleted  KEY`
 * line on stdout, as `aws s3 sync` does: a record of what went, which
 * `vc mirror … > deleted.log` keeps. A run stopped by Ctrl-C after some
 * deletes printed those lines on stderr instead, so the record of the run
 * where it matters most (stopped half-way) was missing from the log. Now
 * they go to stdout as a finished run's do, its last line still on stderr.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { testAwsEnv } from "./cli_process.ts";
import { lastLine, requestsEnding } from "./interrupt_helpers.ts";
import { forEachLimit } from "../src/pool.ts";
import { tempDir } from "./mirror_helpers.ts";

const LATENCY_MS = 3_000;
// One batch of deletes done (S3's DeleteObjects takes 1000 keys), the last key's in flight.
const EXTRA = 1001;

Deno.test("vc mirror --delete: Ctrl-C after some deletes names them on stdout, as a finished run does", async () => {
  const requests = requestsEnding();
  await using s3 = await startFakeS3({ buckets: ["b"], onRequest: requests.onRequest });
  await using w = await tempDir();
  const store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const keys = Array.from({ length: EXTRA }, (_, i) => `p/old/${String(i).padStart(4, "0")}`);
    await forEachLimit(
      keys,
      64,
      (key) => store.put(key, new TextEncoder().encode("x")).then(() => {}),
    );
  } finally {
    await store.close();
  }
  await Deno.mkdir(join(w.dir, "data"));
  await Deno.writeTextFile(join(w.dir, "data", "a.txt"), "a");
  let deletes = 0;
  s3.setFaults({
    latencyMs: LATENCY_MS,
    match: (t) => t.op.startsWith("DeleteObject") && ++deletes === 2,
  });
  const stop = new AbortController();
  const watcher = (async () => {
    for (
      let i = 0;
      i < 1000 && (s3.stats.DeleteObjects ?? 0) + (s3.stats.DeleteObject ?? 0) < 2;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    stop.abort(new DOMException("interrupted", "AbortError"));
  })();
  const io = memoryIo({
    cwd: w.dir,
    signal: stop.signal,
    env: { VC_CACHE_DIR: join(w.dir, "cache") },
  });
  let code = 0;
  await withProcessEnv(testAwsEnv(s3.url), async () => {
    code = await runCli(["mirror", "data", "s3://b/p", "--delete", "--state", "s.db"], io);
  });
  await watcher;
  await requests.settled(s3, LATENCY_MS + 5_000);
  assertEquals(code, 130, io.stderr());
  const deleted = io.stdout().split("\n").filter((line) => line.startsWith("deleted  "));
  // The delete in flight is not cut short: it ends, and is named too.
  assertEquals(deleted.length, EXTRA, io.stdout());
  assertEquals(deleted[0], "deleted  old/0000");
  assertEquals(io.stderr().includes("deleted  "), false, io.stderr());
  assertStringIncludes(
    lastLine(io.stderr()),
    `mirror interrupted: 1 uploaded (1 B), ${EXTRA} deleted`,
  );
});
