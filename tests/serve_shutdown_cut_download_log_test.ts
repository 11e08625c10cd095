/**
 * A drain cut short (a second SIGTERM, Ctrl-C's grace period, or
 * `--drain-timeout`) cuts the downloads still being sent, and the process
 * exits without waiting for them: their access log line, written when a
 * response ends, never came. A deploy that cut clients' downloads left no
 * trace of which caches, clients or identities it cut; "one line per
 * request" held for every request but those. Each is now cut at once and
 * logged with `"aborted":true` and why, before the process exits.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, vcCommand, withWorkspace } from "./cli_process.ts";
import { servedUrl, serveSetup } from "./serve_process.ts";
import { newCacheId, upload } from "./server_helpers.ts";

Deno.test({
  name: "serve: a download cut by a drain cut short still gets its log line, aborted",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  fn: () =>
    withWorkspace(async (dir, vc) => {
      const { args, token } = await serveSetup(dir, vc);
      const child = vcCommand(dir, childEnv(dir), [...args, "--port", "0"], 60_000).spawn();
      let conn: Deno.Conn | undefined;
      try {
        const { url, stderr, stdoutEnd } = await servedUrl(child);
        const made = await newCacheId(url, token, { run: "cut download" });
        const id = String(made.doc.cache_id);
        // Far more than the socket buffers hold: the response is still being sent.
        const sent = await upload(url, token, id, new Uint8Array(32 << 20).fill(9), "big.bin");
        assertEquals(sent.status, 200, JSON.stringify(sent.doc));
        const { hostname, port, pathname } = new URL(`${url}/v1/cache/${id}`);
        conn = await Deno.connect({ hostname, port: Number(port) });
        await conn.write(new TextEncoder().encode(
          `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
            `Authorization: Bearer ${token}\r\n\r\n`,
        ));
        // The answer has started; the client then stops reading.
        assert((await conn.read(new Uint8Array(1024)) ?? 0) > 0, "the download started");
        child.kill("SIGTERM");
        await new Promise((r) => setTimeout(r, 300));
        child.kill("SIGTERM");
        const [{ code }, text] = await Promise.all([child.status, stderr, stdoutEnd]);
        assertEquals(code, 130, text);
        const line = text.split("\n").find((l) =>
          l.includes('"method":"GET"') && l.includes('"route":"/v1/cache/{id}"')
        );
        assert(line !== undefined, `no log line for the cut download:\n${text}`);
        const record = JSON.parse(line);
        assertEquals([record.status, record.aborted, record.cache_id], [200, true, id]);
        assertStringIncludes(record.error, "shut down");
      } finally {
        conn?.close();
        try {
          child.kill("SIGKILL");
        } catch {
          // already exited
        }
        await child.status;
      }
    }),
});
