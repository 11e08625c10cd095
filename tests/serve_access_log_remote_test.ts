/**
 * The access log names the peer each request came from: its lines had the
 * identity (of an authenticated caller only), never the address, so a storm
 * of 401s or a client hammering the service could not be traced to a host
 * or blocked. The address is the TCP peer's (a proxy in front: the proxy's,
 * as its own log has the client); a `X-Forwarded-For` is not trusted.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { serveCache } from "../src/server/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { HttpError } from "../src/server/http_error.ts";

Deno.test("vc serve: each access log line names the client's address", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_qa393_" });
  try {
    const lines: Record<string, unknown>[] = [];
    const service = await serveCache({
      store: new FsStore(join(dir, "store")),
      port: 0,
      log: (line) => lines.push(JSON.parse(line)),
      sweepIntervalMs: 0,
      auth: {
        authenticate: (t) =>
          t === "good"
            ? Promise.resolve({ tokenId: "t:alice", name: "alice" })
            : Promise.reject(new HttpError(401, "invalid token")),
      },
    });
    try {
      await (await fetch(`${service.url}/healthz`)).body?.cancel();
      const refused = await fetch(`${service.url}/v1/cache/${"a".repeat(128)}`, {
        headers: { authorization: "bad", "x-forwarded-for": "10.9.9.9" },
      });
      assertEquals(refused.status, 401);
      await refused.body?.cancel();
    } finally {
      await service.shutdown();
    }
    assertEquals(lines.map((l) => [l.status, l.remote]), [[200, "127.0.0.1"], [401, "127.0.0.1"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
