/**
 * The `log` callback of `serveCache` / `createHandler` is the caller's code
 * (a logger whose file was closed, a sink that is full): one that threw was
 * called from the response's completion, so its error was an unhandled
 * rejection that ended the whole process at the first request. Now the
 * service keeps answering, says once on stderr that its log callback throws,
 * and a `log` that is not a function is refused when the service is made.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { CacheClient, createHandler, serveCache } from "../src/server/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";

Deno.test("serveCache: a log callback that throws does not end the process; it is told once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_log_cb_" });
  const told: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => told.push(args.join(" "));
  let calls = 0;
  try {
    await using store = new FsStore(join(dir, "store"));
    await using service = await serveCache({
      store,
      port: 0,
      sweepIntervalMs: 0,
      log: () => {
        calls++;
        throw new Error("log sink closed");
      },
      auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
    });
    const client = new CacheClient({ url: service.url, token: "alice", maxAttempts: 1 });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${service.url}/healthz`);
      assertEquals(res.status, 200);
      await res.body?.cancel();
      const { cacheId } = await client.id({ step: i });
      assertEquals(await client.getBytes(cacheId), undefined);
    }
    // The uncaught error, if any, surfaced after the responses: give it a turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    console.error = consoleError;
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(calls >= 9, true, `log was called ${calls} times`);
  assertEquals(told.length, 1, told.join("\n"));
  assertStringIncludes(told[0]!, "log sink closed");
  assertStringIncludes(told[0]!, "the log callback threw");
});

Deno.test("createHandler and serveCache: a log that is not a function is refused, naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_log_cb_" });
  try {
    const store = new FsStore(dir);
    const auth = { authenticate: () => Promise.reject(new Error("unused")) };
    assertThrows(
      () => createHandler({ store, auth, log: "access.log" as never }),
      InvalidInputError,
      'createHandler: the option log must be a function, got "access.log"',
    );
    await assertRejects(
      () => serveCache({ store, auth, port: 0, log: 5 as never }),
      InvalidInputError,
      "the option log must be a function, got 5",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
