/**
 * The access log names the peer each request came from, and the cache ID a
 * request was about (the route template alone could not trace one cache's
 * upload on one instance and its removal on another): its lines had the
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
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_access_log_remote_" });
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

Deno.test("vc serve: access log lines name the cache ID a request was about", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_access_log_remote_" });
  try {
    const lines: Record<string, unknown>[] = [];
    const service = await serveCache({
      store: new FsStore(join(dir, "store")),
      port: 0,
      log: (line) => lines.push(JSON.parse(line)),
      sweepIntervalMs: 0,
      auth: { authenticate: () => Promise.resolve({ tokenId: "t:alice", name: "alice" }) },
    });
    let id = "";
    try {
      const headers = { authorization: "good" };
      const answer = await fetch(`${service.url}/v1/cache_id`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: '{"k": 1}',
      });
      id = (await answer.json()).cache_id;
      const form = new FormData();
      form.append("file", new Blob(["bytes"]), "out.txt");
      await (await fetch(`${service.url}/v1/cache/${id}`, { method: "POST", headers, body: form }))
        .body?.cancel();
      await (await fetch(`${service.url}/v1/cache/${id}`, { headers })).body?.cancel();
      await (await fetch(`${service.url}/v1/cache/${id}`, { method: "DELETE", headers })).body
        ?.cancel();
      // Not an ID at all: named as sent, cut to 200 characters.
      await (await fetch(`${service.url}/v1/cache/${"z".repeat(300)}`, { headers })).body?.cancel();
      await (await fetch(`${service.url}/healthz`)).body?.cancel();
    } finally {
      await service.shutdown();
    }
    assertEquals(lines.map((l) => [l.method, l.status, l.cache_id]), [
      ["POST", 200, id],
      ["POST", 200, id],
      ["GET", 200, id],
      ["DELETE", 200, id],
      ["GET", 404, "z".repeat(200)],
      ["GET", 200, undefined],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
