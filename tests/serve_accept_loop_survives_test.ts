/**
 * One bad connection never stops the service. A client that connects and
 * resets its connection before it is accepted (a load balancer's TCP check,
 * a port scan) made `accept` fail with "Transport endpoint is not connected":
 * the accept loop ended on it, as on a lack of file descriptors, so the
 * service closed its port, logged "accepting connections failed ... raise
 * the open-file limit" and listened again later, refusing every client
 * meanwhile. Likewise, Deno's per-connection server throwing for one
 * connection ended the loop and left that connection open, unanswered.
 */
import { assert, assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";
import { commandAvailable } from "./command_available.ts";

Deno.test({
  name: "serve: connections reset before they are accepted do not stop accepting",
  ignore: !commandAvailable("python3"), // python3 is not installed (it sends the resets)
  async fn() {
    await using t = await startService();
    const { port } = new URL(t.url);
    // SO_LINGER 0: close() sends a reset, at once, before the service accepts.
    const script = [
      "import socket, struct, sys",
      "for i in range(100):",
      "    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
      "    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
      "    s.close()",
    ].join("\n");
    const out = await new Deno.Command("python3", {
      args: ["-c", script, port],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
    assertEquals(t.logs.filter((l) => l.includes("accepting connections failed")), []);
  },
});

Deno.test("serve: Deno's per-connection server throwing for one connection closes only that one", async () => {
  // deno-lint-ignore no-explicit-any
  const internal = (Deno as any)[(Deno as any).internal];
  const original = internal.serveHttpOnConnection;
  let calls = 0;
  internal.serveHttpOnConnection = (...args: unknown[]) => {
    if (++calls === 1) throw new TypeError("cannot read properties of undefined (reading 'rid')");
    return original(...args);
  };
  try {
    await using t = await startService();
    const { hostname, port } = new URL(t.url);
    // The first connection meets the failure: it is closed, unanswered.
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(new TextEncoder().encode("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n"));
      const buf = new Uint8Array(1024);
      const n = await Promise.race([
        conn.read(buf).catch(() => null),
        new Promise<"open">((r) => Deno.unrefTimer(setTimeout(() => r("open"), 10_000))),
      ]);
      assertEquals(n, null, "the failed connection is closed");
    } finally {
      conn.close();
    }
    // Every later client is served, on the same listener.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
    assertEquals(t.logs.filter((l) => l.includes("accepting connections failed")), []);
    const failed = t.logs.filter((l) => l.includes("cannot read properties"));
    assertEquals(failed.length, 1, t.logs.join("\n"));
    assertEquals(JSON.parse(failed[0]!).remote, "127.0.0.1");
  } finally {
    internal.serveHttpOnConnection = original;
  }
});

Deno.test("serve: Deno's per-connection server failing for every connection gives way to Deno.serve", async () => {
  // Its internal API changed under a new Deno: the service falls back to
  // Deno.serve (without the header timeout) rather than closing every client.
  // deno-lint-ignore no-explicit-any
  const internal = (Deno as any)[(Deno as any).internal];
  const original = internal.serveHttpOnConnection;
  internal.serveHttpOnConnection = () => {
    throw new TypeError("serveHttpOnConnection is not what it was");
  };
  try {
    await using t = await startService();
    const { hostname, port } = new URL(t.url);
    let status = 0;
    // Bounded: the failing connections, then the wait while it listens again.
    for (let i = 0; i < 100 && status !== 200; i++) {
      try {
        const conn = await Deno.connect({ hostname, port: Number(port) });
        conn.close();
        const res = await fetch(`${t.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
        status = res.status;
        await res.body?.cancel();
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assertEquals(status, 200);
    const line = t.logs.find((l) => l.includes("serving with Deno.serve"));
    assert(line !== undefined, t.logs.join("\n"));
    assert(!line.includes("open-file limit"), line);
  } finally {
    internal.serveHttpOnConnection = original;
  }
});
