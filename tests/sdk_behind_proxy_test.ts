// Behind a proxy (HTTP_PROXY / HTTPS_PROXY, as in a corporate CI where only
// the proxy reaches the store) every request of vc must go through it,
// including the AWS SDK's (create / complete multipart, DeleteObjects,
// copies). The SDK sent through node:http(s), which ignores those variables:
// a multipart upload's parts went through the proxy and its
// CreateMultipartUpload straight to the store, which failed where the store
// is reachable only through the proxy.
//
// Here the endpoint is a closed port: only the proxy, which sends every
// request on to the fake S3 whatever it names, reaches a store.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeS3 } from "../src/testing/mod.ts";
import { childEnv, type Run, testAwsEnv, vcCommand } from "./cli_process.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { s3HttpError, s3NetworkError } from "../src/store/s3_errors.ts";
import { closedPort } from "./closed_port.ts";
import { httpsFront, TLS_FIXTURES } from "./https_test_server.ts";

/** Copies `from` into `to` until either side ends. */
async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  try {
    await from.readable.pipeTo(to.writable, { preventClose: false });
  } catch {
    // the other side closed
  }
}

/**
 * A CONNECT proxy on 127.0.0.1: every tunnel goes to `tlsPort`, whatever it
 * names; `log` gets `METHOD target` of each request; others get 502.
 */
function startConnectProxy(tlsPort: number, log: string[]) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serveConn = async (conn: Deno.Conn) => {
    conns.add(conn);
    try {
      // Read the head (CONNECT's has no body).
      const reader = conn.readable.getReader();
      let head = new Uint8Array(0);
      let end = -1;
      for (let i = 0; i < 64 && end < 0; i++) {
        const { value, done } = await reader.read();
        if (done) return;
        const joined = new Uint8Array(head.length + value.length);
        joined.set(head);
        joined.set(value, head.length);
        head = joined;
        end = new TextDecoder().decode(head).indexOf("\r\n\r\n");
      }
      const line = new TextDecoder().decode(head).split("\r\n")[0]!;
      const [method, target] = line.split(" ");
      log.push(`${method} ${target}`);
      if (method !== "CONNECT") {
        reader.releaseLock();
        await conn.write(new TextEncoder().encode("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
        return;
      }
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: tlsPort });
      conns.add(upstream);
      await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection established\r\n\r\n"));
      const rest = head.subarray(end + 4);
      if (rest.length > 0) await upstream.write(rest);
      reader.releaseLock();
      await Promise.all([pipe(conn, upstream), pipe(upstream, conn)]);
    } catch {
      // a connection the test ended
    } finally {
      try {
        conn.close();
      } catch {
        // closed already
      }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) serveConn(conn);
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // closed already
        }
      }
      await accepting;
    },
  };
}

async function run(dir: string, env: Record<string, string>, args: string[]): Promise<Run> {
  const out = await vcCommand(dir, env, args, 120_000).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function withWorkspace(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_proxy_" });
  try {
    await Deno.mkdir(join(dir, "home"));
    await Deno.mkdir(join(dir, "src"));
    await Deno.mkdir(join(dir, "empty"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    // Above the 16 MiB multipart threshold: create / complete go through the SDK.
    await Deno.writeFile(join(dir, "src", "big.bin"), new Uint8Array(17 << 20).fill(7));
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("HTTP_PROXY: the SDK's requests (multipart, DeleteObjects) go through the proxy too", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ buckets: ["b"], credentials: false });
  const log: string[] = [];
  // A plain-http forward proxy: the absolute URI is logged, the request
  // sent on to the fake S3.
  await using proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    log.push(`${req.method} ${url.pathname}${url.search}`);
    return fetch(`${s3.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
    });
  });
  await withWorkspace(async (dir) => {
    const env = childEnv(dir, {
      ...testAwsEnv(`http://127.0.0.1:${closedPort()}`),
      HTTP_PROXY: `http://127.0.0.1:${proxy.addr.port}`,
    });
    const up = await run(dir, env, ["mirror", "src", "s3://b/m"]);
    assertEquals(up.code, 0, up.stderr);
    assertEquals(s3.stats.CompleteMultipartUpload, 1);
    assert(log.some((l) => l.endsWith("?uploads=")), log.join("\n"));
    const del = await run(dir, env, ["mirror", "--delete", "empty", "s3://b/m"]);
    assertEquals(del.code, 0, del.stderr);
    assert(log.some((l) => l.endsWith("?delete=")), log.join("\n"));
    const listed = await (await fetch(`${s3.url}/b?list-type=2&prefix=m/`)).text();
    assertEquals([...listed.matchAll(/<Key>/g)].length, 0, listed);
  });
});

Deno.test("HTTPS_PROXY: an https store's SDK requests go through the proxy's CONNECT", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ buckets: ["b"], credentials: false });
  // An https front for the fake S3 (its certificate is for 127.0.0.1).
  await using front = httpsFront(s3.url);
  const log: string[] = [];
  const proxy = startConnectProxy(front.addr.port, log);
  try {
    await withWorkspace(async (dir) => {
      const env = childEnv(dir, {
        ...testAwsEnv(`https://127.0.0.1:${closedPort()}`),
        AWS_CA_BUNDLE: fileURLToPath(new URL("ca.pem", TLS_FIXTURES)),
        HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      });
      const up = await run(dir, env, ["mirror", "src", "s3://b/m"]);
      assertEquals(up.code, 0, up.stderr);
      assertEquals(s3.stats.CreateMultipartUpload, 1);
      assertEquals(s3.stats.CompleteMultipartUpload, 1);
      assert(log.length > 0 && log.every((l) => l.startsWith("CONNECT ")), log.join("\n"));
    });
  } finally {
    await proxy.close();
  }
});

Deno.test("a proxy's 407 is reported as the proxy's refusal, naming it without its password", () => {
  const saved = Deno.env.get("HTTP_PROXY");
  Deno.env.set("HTTP_PROXY", "http://bob:s3cret@proxy.test:3128");
  try {
    const e = s3HttpError(407, {}, {
      operation: "GET",
      uri: "s3://b/k",
      bucket: "b",
      endpoint: "http://store.test:9000",
      region: "us-east-1",
      credentialSource: "options",
    });
    assertStringIncludes(e.message, "the proxy http://bob:***@proxy.test:3128 (from HTTP_PROXY)");
    assertStringIncludes(e.message, "407 Proxy Authentication Required");
    assert(!e.message.includes("s3cret"), e.message);
    const down = s3NetworkError(new TypeError("tcp connect error: Connection refused"), {
      operation: "GET",
      uri: "s3://b/k",
      bucket: "b",
      endpoint: "http://store.test:9000",
      region: "us-east-1",
      credentialSource: "options",
    });
    assertStringIncludes(down.message, "through the proxy http://bob:***@proxy.test:3128");
  } finally {
    if (saved === undefined) Deno.env.delete("HTTP_PROXY");
    else Deno.env.set("HTTP_PROXY", saved);
  }
});
