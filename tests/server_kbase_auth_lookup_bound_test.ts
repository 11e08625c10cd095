/**
 * With `--auth-url`, every request with a token not cached yet asks the
 * auth service, and failures are never cached: a client with no token of
 * its own sent made-up tokens as fast as it could, and each one opened its
 * own connection to the auth service, all at once (400 requests, 400
 * lookups in flight), until the service ran out of file descriptors for
 * its own clients and store. Lookups now run at most
 * `MAX_AUTH_LOOKUPS` at a time; the rest wait their turn within the same
 * timeout (then 504).
 */
import { assert, assertEquals } from "./assert.ts";
import { KBaseAuth, MAX_AUTH_LOOKUPS } from "../src/server/auth.ts";
import { HttpError } from "../src/server/http_error.ts";

Deno.test("KBaseAuth runs a bounded number of auth service lookups at once", async () => {
  let inFlight = 0;
  let most = 0;
  const held: Array<() => void> = [];
  const auth = new KBaseAuth({
    authUrl: "https://auth.example.org/services/auth",
    timeoutMs: 10_000,
    fetch: (_url, init) => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise<Response>((resolve, reject) => {
        const done = () => {
          inFlight--;
          resolve(Response.json({ error: "bad token" }, { status: 401 }));
        };
        held.push(done);
        init?.signal?.addEventListener("abort", () => {
          inFlight--;
          reject(init.signal!.reason);
        }, { once: true });
      });
    },
  });
  const n = 400;
  const all = Promise.allSettled(
    Array.from({ length: n }, (_, i) => auth.authenticate(`made-up-${i}`)),
  );
  await new Promise((r) => setTimeout(r, 50));
  assert(most <= MAX_AUTH_LOOKUPS, `${most} lookups at once`);
  // Each answer lets a waiting lookup start: every token is still asked.
  for (let round = 0; round < n && held.length > 0; round++) {
    held.splice(0).forEach((release) => release());
    await new Promise((r) => setTimeout(r, 0));
  }
  const results = await all;
  assertEquals(results.filter((r) => r.status === "rejected").length, n);
  for (const r of results) {
    const reason = (r as PromiseRejectedResult).reason;
    assert(reason instanceof HttpError && reason.status === 401, String(reason));
  }
  assert(most <= MAX_AUTH_LOOKUPS, `${most} lookups at once`);
});

Deno.test("a lookup that waits for its turn past the timeout is a 504", async () => {
  const auth = new KBaseAuth({
    authUrl: "https://auth.example.org/services/auth",
    timeoutMs: 200,
    // An auth service that never answers (until the lookup gives up).
    fetch: (_url, init) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason), { once: true });
      }),
  });
  const results = await Promise.allSettled(
    Array.from({ length: MAX_AUTH_LOOKUPS + 5 }, (_, i) => auth.authenticate(`t-${i}`)),
  );
  for (const r of results) {
    const reason = (r as PromiseRejectedResult).reason;
    assert(reason instanceof HttpError && reason.status === 504, String(reason));
  }
});
