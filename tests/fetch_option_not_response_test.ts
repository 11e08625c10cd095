/**
 * A `fetch` stand-in (CacheClient's and KBaseAuth's `fetch` option) that
 * resolves to something other than a Response (undefined, a plain object, a
 * Response-like object without a body) failed deep inside with a bare
 * TypeError ("Cannot read properties of undefined (reading 'getReader')"),
 * which KBaseAuth reported as "the auth service is unreachable". It is now
 * an InvalidInputError naming the option, and no retry is spent on it.
 */
import { CacheClient } from "../src/server/client.ts";
import { KBaseAuth } from "../src/server/auth.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";

const WRONG: [string, unknown][] = [
  ["undefined", undefined],
  ["an object", {}],
  ["an object", { status: 200, ok: true, headers: new Headers() }],
  ['"ok"', "ok"],
];

Deno.test("CacheClient: a fetch option that answers no Response is named", async () => {
  for (const [shown, answer] of WRONG) {
    let calls = 0;
    const client = new CacheClient({
      url: "http://127.0.0.1:9",
      token: "t",
      retryBaseDelayMs: 0,
      fetch: (() => (calls++, Promise.resolve(answer))) as unknown as typeof fetch,
    });
    const error = await assertRejects(() => client.id({ a: 1 }), InvalidInputError);
    assertStringIncludes(error.message, `CacheClient: the option fetch resolved to ${shown}`);
    assertStringIncludes(error.message, "not a Response");
    assertEquals(calls, 1, "not retried");
  }
  // Not even a promise: the same error.
  const sync = new CacheClient({
    url: "http://127.0.0.1:9",
    token: "t",
    fetch: (() => undefined) as unknown as typeof fetch,
  });
  await assertRejects(() => sync.id({ a: 1 }), InvalidInputError, "the option fetch");
  assertThrows(
    () => new CacheClient({ url: "http://x", token: "t", fetch: "fetch" as never }),
    InvalidInputError,
    "CacheClient: the option fetch must be a function",
  );
});

Deno.test("KBaseAuth: a fetch option that answers no Response is named", async () => {
  for (const [shown, answer] of WRONG) {
    const auth = new KBaseAuth({
      authUrl: "http://127.0.0.1:9",
      fetch: (() => Promise.resolve(answer)) as unknown as typeof fetch,
    });
    const error = await assertRejects(() => auth.authenticate("tok"), InvalidInputError);
    assertStringIncludes(error.message, `KBaseAuth: the option fetch resolved to ${shown}`);
  }
  assertThrows(
    () => new KBaseAuth({ authUrl: "http://x", fetch: 42 as never }),
    InvalidInputError,
    "KBaseAuth: the option fetch must be a function",
  );
  // A Response-like object from another fetch implementation still works.
  const auth = new KBaseAuth({
    authUrl: "http://127.0.0.1:9",
    fetch: (() => {
      const real = Response.json({ user: "alice" });
      return Promise.resolve({
        status: real.status,
        ok: real.ok,
        headers: real.headers,
        body: real.body,
      });
    }) as unknown as typeof fetch,
  });
  assertEquals((await auth.authenticate("tok")).name, "alice");
});
