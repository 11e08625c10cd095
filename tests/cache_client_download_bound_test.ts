/**
 * A download from a server that streams without end (no Content-Length, as a
 * broken proxy or a hostile server can), or announces more than the caller
 * accepts, stops at `maxDownloadBytes` (`vc cache-client get --max-bytes`):
 * a `CacheServiceError` naming the cache, the URL and the limit, no file at
 * DEST and no temp file beside it, the connection let go. Before, such a body
 * was written until the disk was full (`download`, `get ID DEST`) or held in
 * memory until the process died (`getBytes`, so `withCache`).
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { rawServer, readHead, within } from "./raw_server.ts";

const ID = "a".repeat(128);
const MiB = 1 << 20;
/** What a server below sends at most, so a test that fails does not fill the disk. */
const SAFETY = 64 * MiB;

/**
 * Answers every request 200 with `head` extra header lines and then sends
 * bytes until the client goes (or SAFETY is reached); `sent()` counts them.
 */
function endless(head = "") {
  let sent = 0;
  const server = rawServer(async (conn) => {
    try {
      await readHead(conn);
      await conn.write(
        new TextEncoder().encode(
          `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n${head}connection: close\r\n\r\n`,
        ),
      );
      const chunk = new Uint8Array(64 * 1024).fill(120);
      while (sent < SAFETY) sent += await conn.write(chunk);
    } finally {
      try {
        conn.close();
      } catch {
        // closed on dispose
      }
    }
  });
  return { server, sent: () => sent };
}

Deno.test("CacheClient: an endless download stops at maxDownloadBytes and leaves no file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cc_bound_" });
  try {
    const { server, sent } = endless();
    await using _ = server;
    const client = new CacheClient({ url: server.url, token: "t", maxDownloadBytes: MiB });
    const error = await within(
      30_000,
      assertRejects(() => client.download(ID, join(dir, "out.bin")), CacheServiceError),
    );
    assertStringIncludes(error.message, `download of cache ${ID}`);
    assertStringIncludes(error.message, server.url);
    assertStringIncludes(error.message, `more than ${MiB} bytes`);
    assertEquals([...Deno.readDirSync(dir)], [], "no file, no temp file");
    const bytes = await within(
      30_000,
      assertRejects(() => client.getBytes(ID), CacheServiceError),
    );
    assertStringIncludes(bytes.message, `more than ${MiB} bytes`);
    assert(sent() < SAFETY, `the server sent ${sent()} bytes: it was never stopped`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CacheClient: a Content-Length over maxDownloadBytes is refused before the body", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cc_bound_cl_" });
  try {
    const { server } = endless(`content-length: ${10 * 1024 * MiB}\r\n`);
    await using _ = server;
    const client = new CacheClient({ url: server.url, token: "t", maxDownloadBytes: MiB });
    const error = await within(
      30_000,
      assertRejects(() => client.download(ID, join(dir, "out.bin")), CacheServiceError),
    );
    assertStringIncludes(error.message, `announced ${10 * 1024 * MiB} bytes`);
    assertStringIncludes(error.message, server.url);
    assertEquals([...Deno.readDirSync(dir)], []);
    assertEquals(server.accepted(), 1, "refused once, not retried");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CacheClient: maxDownloadBytes is checked", () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    let thrown: unknown;
    try {
      new CacheClient({ url: "http://127.0.0.1:1", token: "t", maxDownloadBytes: bad });
    } catch (e) {
      thrown = e;
    }
    assert(thrown instanceof Error && thrown.message.includes("maxDownloadBytes"), String(bad));
  }
});

Deno.test("cache-client get --max-bytes: an endless download fails, exit 1, no DEST", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cc_bound_cli_" });
  try {
    const { server } = endless();
    await using _ = server;
    for (const dest of [["out.bin"], []]) {
      const io = memoryIo({
        cwd: dir,
        env: { HOME: dir, VC_CACHE_URL: server.url, VC_CACHE_TOKEN: "t" },
      });
      const code = await within(
        30_000,
        runCli(["cache-client", "get", ID, ...dest, "--max-bytes", "1MiB"], io),
      );
      assertEquals(code, 1, io.stderr());
      assertStringIncludes(io.stderr(), `more than ${MiB} bytes`);
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), []);
    }
    const io = memoryIo({ cwd: dir, env: { HOME: dir, VC_CACHE_URL: server.url } });
    assertEquals(await runCli(["cache-client", "get", ID, "x", "--max-bytes", "lots"], io), 2);
    assertStringIncludes(io.stderr(), "--max-bytes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CacheClient: maxDownloadBytes counts a coded body's decoded bytes", async () => {
  // 16 MiB of zeros gzipped to a few KiB: its Content-Length is the coded size.
  const gz = new Uint8Array(
    await new Response(
      new Blob([new Uint8Array(16 * MiB)]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  await using server = rawServer(async (conn) => {
    try {
      await readHead(conn);
      await conn.write(
        new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-encoding: gzip\r\n" +
            `content-length: ${gz.length}\r\nconnection: close\r\n\r\n`,
        ),
      );
      for (let at = 0; at < gz.length;) at += await conn.write(gz.subarray(at));
    } finally {
      conn.close();
    }
  });
  const client = new CacheClient({ url: server.url, token: "t", maxDownloadBytes: MiB });
  const error = await within(30_000, assertRejects(() => client.getBytes(ID), CacheServiceError));
  assertStringIncludes(error.message, `more than ${MiB} bytes`);
  const open = new CacheClient({ url: server.url, token: "t" });
  assertEquals((await open.getBytes(ID))?.length, 16 * MiB, "no limit: the whole file");
});
