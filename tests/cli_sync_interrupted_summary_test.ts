/**
 * Ctrl-C (or a CI job cancelled at its timeout) during `vc sync` said only
 * `vc: interrupted`: the entries it had already copied into DEST went
 * unreported, on stdout and in `--json` alike, so a log could not tell what
 * DEST held. It now lists them as a finished sync does, ends on
 * `vc: sync interrupted after N of M manifest entries: …` and exits 130;
 * `--json` prints the report with `"interrupted": true`.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { AssetCache } from "../mod.ts";
import { SyncInterruptedError, VersionedCache } from "../src/versioned/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { testAwsEnv } from "./cli_process.ts";
import { requestsEnding } from "./interrupt_helpers.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** Runs `vc sync out` and interrupts it once /fast.csv is in DEST (/slow.csv still downloading). */
async function syncInterruptedAfterFast(json: boolean) {
  const requests = requestsEnding();
  await using s3 = await startFakeS3({ buckets: ["assets"], onRequest: requests.onRequest });
  await s3.putObject("assets", "fast.1.0.0.csv", "fast\n");
  await s3.putObject("assets", "slow.1.0.0.csv", "slow\n");
  // The slow entry's requests wait long past the interrupt.
  s3.setFaults({ latencyMs: 5_000, match: (t) => t.key === "slow.1.0.0.csv" });
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/fast.csv": "1.0.0", "/slow.csv": "1.0.0"}');
  const stop = new AbortController();
  const io = memoryIo({
    env: { ...ws.env, VC_BUCKET: "s3://assets" },
    cwd: ws.dir,
    signal: stop.signal,
  });
  let code = -1;
  await withProcessEnv(testAwsEnv(s3.url), async () => {
    const running = runCli(["sync", "out", ...(json ? ["--json"] : [])], io);
    // Bounded: 10 s at most for the fast entry to be copied.
    for (let i = 0; i < 500 && !(await exists(ws.path("out/fast.csv"))); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Once in DEST, the copy is hashed for the sync's records before the entry
    // counts as copied: a moment more (the slow entry waits 5 s).
    await new Promise((r) => setTimeout(r, 500));
    stop.abort(new DOMException("interrupted", "AbortError"));
    code = await running;
  });
  await requests.settled(s3, 5_000 + 5_000); // the delayed requests end on the server
  return {
    code,
    stdout: io.stdout(),
    stderr: io.stderr(),
    fast: await exists(ws.path("out/fast.csv")),
    slow: await exists(ws.path("out/slow.csv")),
    dest: join(ws.dir, "out"),
  };
}

Deno.test("vc sync interrupted: lists the entries copied before the stop, exit 130", async () => {
  const r = await syncInterruptedAfterFast(false);
  assertEquals(r.code, 130, r.stderr);
  assert(r.fast && !r.slow, "DEST should hold /fast.csv alone");
  assertEquals(r.stdout, `/fast.csv  ${join(r.dest, "fast.csv")}\n`);
  assertEquals(
    r.stderr,
    `vc: sync interrupted after 1 of 2 manifest entries: 1 copied to ${r.dest}, 0 failed; ` +
      "the rest was not copied: run it again to finish\n",
  );
});

Deno.test("vc sync --json interrupted: the report with interrupted: true", async () => {
  const r = await syncInterruptedAfterFast(true);
  assertEquals(r.code, 130, r.stderr);
  const { seconds, ...report } = JSON.parse(r.stdout);
  assertEquals(report, {
    dest: r.dest,
    total: 2,
    copied: [{ path: "/fast.csv", dest: join(r.dest, "fast.csv") }],
    unchanged: [],
    failed: [],
    bytes: "fast\n".length,
    interrupted: true,
  });
  assert(typeof seconds === "number" && seconds >= 0, String(seconds));
  assert(r.stderr.startsWith("vc: sync interrupted after 1 of 2 manifest entries"), r.stderr);
});

Deno.test("VersionedCache.syncSettled stopped: SyncInterruptedError, cause the reason", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "a");
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  const vc = new VersionedCache({
    manifest: ws.path("versioned_assets.json"),
    bucket: ws.bucket,
    cache: new AssetCache({ cacheDir: ws.cacheDir, configPath: false }),
  });
  try {
    const reason = new DOMException("stop", "AbortError");
    const error = await vc.syncSettled(ws.path("out"), { signal: AbortSignal.abort(reason) })
      .then(() => undefined, (e) => e);
    assert(error instanceof SyncInterruptedError, String(error));
    assertEquals(error.cause, reason);
    const { seconds, ...report } = error.report;
    assertEquals(report, {
      dest: ws.path("out"),
      total: 1,
      copied: [],
      unchanged: [],
      failed: [],
      bytes: 0,
    });
    assert(typeof seconds === "number" && seconds >= 0, String(seconds));
  } finally {
    await vc.close();
  }
});
