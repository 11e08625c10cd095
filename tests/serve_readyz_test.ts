/**
 * `GET /readyz` tells a load balancer whether this instance can serve: 200
 * while its store answers, 503 when it does not. `/healthz` (liveness) said
 * "ok" while every cache request of an instance cut off from its store got
 * 503, and there was no other check to take it out of rotation while the
 * other instances on the store served. One look at the store answers the
 * checks of a second; a store that comes back makes the instance ready again.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { serveCache } from "../src/server/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { OfflineError } from "../src/errors.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { overriding } from "./overriding.ts";

Deno.test("vc serve: /readyz is 503 while the store is down, 200 once it is back; /healthz stays 200", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_readyz_" });
  try {
    const fs = new FsStore(dir);
    const state = { down: false, lists: 0 };
    // The store as a network cut shows it: every listing fails to connect.
    const store: ObjectStore = overriding(fs, {
      list: (...args: Parameters<ObjectStore["list"]>) => {
        state.lists++;
        if (!state.down) return fs.list(...args);
        // deno-lint-ignore require-yield
        return (async function* () {
          throw new OfflineError("cannot reach http://127.0.0.1:1: Connection refused");
        })();
      },
    });
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const lines: Record<string, unknown>[] = [];
    await using service = await serveCache({
      store,
      clock,
      port: 0,
      sweepIntervalMs: 0,
      log: (line) => lines.push(JSON.parse(line)),
      auth: { authenticate: () => Promise.reject(new Error("unused")) },
    });
    const get = async (path: string) => {
      const res = await fetch(`${service.url}${path}`);
      return {
        status: res.status,
        body: await res.json(),
        retryAfter: res.headers.get("retry-after"),
      };
    };
    assertEquals((await get("/readyz")).body, { status: "ok" });
    assertEquals((await get("/readyz")).status, 200);
    // Checks within a second share one look at the store.
    assertEquals(state.lists, 1);

    state.down = true;
    await clock.advance(1000);
    const down = await get("/readyz");
    assertEquals([down.status, down.retryAfter], [503, "5"]);
    assertStringIncludes(down.body.error, "the store is unavailable");
    assertEquals((await get("/healthz")).status, 200);
    // The log line says why; the answer names no store.
    assertStringIncludes(
      String(lines.findLast((l) => l.route === "/readyz")?.error),
      "Connection refused",
    );

    state.down = false;
    await clock.advance(1000);
    assertEquals((await get("/readyz")).status, 200);
    assertEquals(state.lists, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
