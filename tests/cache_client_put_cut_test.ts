/**
 * An upload of a file that the service (or a proxy in front of it) cuts off
 * half-way, before any answer, was reported as "cannot reach the cache
 * service at URL: write EPIPE": the service had been reached and had read
 * megabytes, and the message sent the user to check the URL and the
 * network. Now it says the connection was cut after how many bytes, and
 * that nothing was stored; it is retried as before.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { rawServer } from "./raw_server.ts";
import { retryLineAccount } from "./retry_line_account.ts";

const ID = "a".repeat(128);
const SIZE = 16 * 1024 * 1024;
const CUT = 1024 * 1024;

Deno.test("cache-client put: a connection cut during the upload is not 'cannot reach'", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(SIZE));
    let connections = 0;
    await using server = rawServer(async (conn) => {
      connections++;
      const buffer = new Uint8Array(64 * 1024);
      // Reads the head and about CUT bytes of the body, then resets.
      for (let read = 0; read < CUT;) {
        const n = await conn.read(buffer).catch(() => null);
        if (n === null) break;
        read += n;
      }
      conn.close();
    });
    const env = { HOME: dir, VC_CACHE_URL: server.url, VC_CACHE_TOKEN: "t" };
    const io = memoryIo({ cwd: dir, env });
    const startedAt = Date.now();
    assertEquals(await runCli(["cache-client", "put", ID, "big.bin"], io), 1, io.stderr());
    const stderr = io.stderr();
    assert(!stderr.includes("cannot reach"), stderr);
    assertStringIncludes(stderr, `the cache service at ${server.url} cut the connection after `);
    assertStringIncludes(
      stderr,
      ` of ${SIZE} bytes of ${dir}/big.bin were sent, before any answer`,
    );
    assertStringIncludes(stderr, "nothing was stored");
    assertStringIncludes(stderr, "gave up after 5 attempts");
    assertEquals(connections, 5, "retried like a reset");
    // Besides the (rate-limited, so as many as the run's time allows) lines
    // that say it is tried again, which account for all 4 retries: one
    // line, no stack.
    const { shown, others, retries } = retryLineAccount(stderr, startedAt);
    assertEquals(stderr.split("\n")[0], shown[0], stderr);
    assertStringIncludes(shown[0]!, "; trying again (2/5) in ");
    assertEquals(retries, 4, stderr);
    assertEquals(others.length, 1, `one line, no stack: ${stderr}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
