/**
 * `vc serve` drains on SIGTERM for as long as the requests in flight take,
 * and a service manager's own limit is a SIGKILL (systemd's
 * TimeoutStopSec, 90 s by default; Kubernetes' grace period, 30 s): an
 * upload to S3 then stayed open in the bucket as an incomplete multipart
 * upload, its client got no answer, and the log lines waiting in the
 * buffer were lost. `--drain-timeout DURATION` bounds the drain from
 * inside: past it, the drain is cut short as a second signal cuts it (the
 * uploads in flight aborted in the store and answered 503), exit 130.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, vcCommand, withWorkspace } from "./cli_process.ts";
import { lastLine } from "./interrupt_helpers.ts";
import { servedUrl, serveSetup } from "./serve_process.ts";
import { newCacheId } from "./server_helpers.ts";

const BOUNDARY = "vcdraintimeoutboundary";

/** The files under `dir`, relative, sorted. */
async function filesUnder(dir: string, at = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(join(dir, at))) {
    const rel = at === "" ? e.name : `${at}/${e.name}`;
    if (e.isDirectory) found.push(...await filesUnder(dir, rel));
    else found.push(rel);
  }
  return found.sort();
}

Deno.test({
  name:
    "serve: --drain-timeout cuts a SIGTERM drain short: the stalled upload is answered 503, 130",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  fn: () =>
    withWorkspace(async (dir, vc) => {
      const { args, token } = await serveSetup(dir, vc);
      const bad = await vc([...args, "--drain-timeout", "soon"]);
      assertEquals(bad.code, 2, bad.stderr);
      assertStringIncludes(bad.stderr, "--drain-timeout");
      const child = vcCommand(dir, childEnv(dir), [
        ...args,
        "--port",
        "0",
        "--drain-timeout",
        "1s",
      ], 60_000).spawn();
      let conn: Deno.Conn | undefined;
      try {
        const { url, stderr, stdoutEnd } = await servedUrl(child);
        const made = await newCacheId(url, token, { run: "drain" });
        assertEquals(made.status, 200);
        const id = String(made.doc.cache_id);
        const { hostname, port, pathname } = new URL(`${url}/v1/cache/${id}`);
        conn = await Deno.connect({ hostname, port: Number(port) });
        const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; ` +
          `filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
        // A client whose body stops half-way, its connection open (well
        // within the 60 s body idle timeout): the drain would wait for it.
        await conn.write(new TextEncoder().encode(
          `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
            `Authorization: Bearer ${token}\r\n` +
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
            `Content-Length: ${head.length + (4 << 20) + 64}\r\n\r\n${head}`,
        ));
        await conn.write(new Uint8Array(1 << 20).fill(7));
        // The first MiB has reached the service once a metrics scrape says
        // the upload holds a slot.
        for (let i = 0; i < 500; i++) {
          const text = await (await fetch(`${url}/metrics`)).text();
          if (/^vc_serve_uploads_active 1$/m.test(text)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        child.kill("SIGTERM");
        const answer = new Uint8Array(4096);
        const n = await conn.read(answer);
        const status = new TextDecoder().decode(answer.subarray(0, n ?? 0)).split("\r\n")[0];
        const [{ code }, text] = await Promise.all([child.status, stderr, stdoutEnd]);
        assertEquals(status, "HTTP/1.1 503 Service Unavailable", text);
        assertEquals(code, 130, text);
        assertStringIncludes(text, "--drain-timeout");
        assertEquals(lastLine(text), "vc: serve interrupted");
        const upload = text.split("\n").find((l) => l.includes('"route":"/v1/cache/{id}"'));
        assertStringIncludes(upload ?? "", '"status":503', text);
        // Nothing of the upload is left in the store: only the entry's metadata.
        const left = await filesUnder(join(dir, "store"));
        assertEquals(left.filter((f) => !f.startsWith("meta/")), [], left.join("\n"));
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

Deno.test({
  name: "serve: a --drain-timeout past setTimeout's range still waits (it fired at once)",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  fn: () =>
    withWorkspace(async (dir, vc) => {
      const { args, token } = await serveSetup(dir, vc);
      const child = vcCommand(dir, childEnv(dir), [
        ...args,
        "--port",
        "0",
        "--drain-timeout",
        "30d",
      ], 60_000).spawn();
      let conn: Deno.Conn | undefined;
      try {
        const { url, stderr, stdoutEnd } = await servedUrl(child);
        const id = String((await newCacheId(url, token, { run: "long drain" })).doc.cache_id);
        const { hostname, port, pathname } = new URL(`${url}/v1/cache/${id}`);
        conn = await Deno.connect({ hostname, port: Number(port) });
        await conn.write(new TextEncoder().encode(
          `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
            `Authorization: Bearer ${token}\r\n` +
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
            `Content-Length: 100000\r\n\r\n--${BOUNDARY}\r\n`,
        ));
        for (let i = 0; i < 500; i++) {
          const text = await (await fetch(`${url}/metrics`)).text();
          if (/^vc_serve_in_flight_requests 2$/m.test(text)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        child.kill("SIGTERM");
        const early = await Promise.race([
          child.status.then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 2_000)),
        ]);
        child.kill("SIGTERM");
        const [{ code }, text] = await Promise.all([child.status, stderr, stdoutEnd]);
        assert(!early, `the drain ended at once:\n${text}`);
        assertEquals(code, 130, text);
        assert(!text.includes("--drain-timeout"), text);
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
