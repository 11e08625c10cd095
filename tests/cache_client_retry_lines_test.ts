/**
 * `vc cache-client` tells its retries as the store commands do: a service
 * answering 503 (shutting down, its store out) or restarting was retried
 * for seconds without a word on stderr, so a command looked hung. Each
 * retry now reaches the process-wide store retry notice (retry_notice.ts),
 * which the CLI prints as a rate-limited `…; trying again (2/5) in …`
 * warning: on stderr, never in `--json` stdout, none with `--quiet`.
 */
import { assert, assertEquals } from "./assert.ts";
import { CacheClient } from "../src/server/client.ts";
import { listenToStoreRetries, type StoreRetry } from "../src/store/retry_notice.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { retryLineAccount } from "./retry_line_account.ts";

const ID = "a".repeat(128);

/** A service answering 503 with `Retry-After: 0` to every request. */
function unavailable() {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return Response.json({ status: "error", error: "the store is unreachable" }, {
      status: 503,
      headers: { "retry-after": "0" },
    });
  });
}

const retryLines = (stderr: string) => stderr.split("\n").filter((l) => l.includes("trying again"));

Deno.test("CacheClient: each retry of a 503 is told to the store retry listeners", async () => {
  await using server = unavailable();
  const url = `http://127.0.0.1:${server.addr.port}`;
  const heard: StoreRetry[] = [];
  const stop = listenToStoreRetries((r) => heard.push(r));
  try {
    const client = new CacheClient({ url, token: "alice", maxAttempts: 3, retryBaseDelayMs: 1 });
    await client.rm(ID).catch(() => {});
  } finally {
    stop();
  }
  assertEquals(heard.map((r) => [r.attempt, r.maxAttempts]), [[1, 3], [2, 3]]);
  assert(heard[0]!.reason.includes(`the cache service at ${url} failed (503)`), heard[0]!.reason);
  assert(heard[0]!.delayMs >= 0);
});

Deno.test("vc cache-client rm: a 503 retried is said on stderr, not in --json stdout, not with --quiet", async () => {
  await using server = unavailable();
  const dir = await Deno.makeTempDir();
  try {
    const env = {
      HOME: dir,
      VC_CACHE_URL: `http://127.0.0.1:${server.addr.port}`,
      VC_CACHE_TOKEN: "t",
    };
    const run = async (extra: string[]) => {
      const io = memoryIo({ cwd: dir, env });
      const startedAt = Date.now();
      const code = await runCli(["cache-client", "rm", ID, ...extra], io);
      assertEquals(code, 1, io.stderr());
      return { io, startedAt };
    };
    const { io: human, startedAt } = await run([]);
    // Rate-limited (as many lines as the run's time allows, one on any
    // machine but a crawling one), the 4 retries all accounted for; the
    // final error says it gave up.
    const said = retryLineAccount(human.stderr(), startedAt);
    assertEquals(said.retries, 4, human.stderr());
    assert(
      /^vc: warning: .*failed \(503\): the store is unreachable; trying again \(2\/5\) in \d/
        .test(said.shown[0]!),
      human.stderr(),
    );
    assert(human.stderr().includes("gave up after 5 attempts"), human.stderr());

    const json = await run(["--json"]);
    assert(!json.io.stdout().includes("trying again"), json.io.stdout());
    assertEquals(retryLineAccount(json.io.stderr(), json.startedAt).retries, 4, json.io.stderr());

    const quiet = await run(["--quiet"]);
    assertEquals(retryLines(quiet.io.stderr()), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
