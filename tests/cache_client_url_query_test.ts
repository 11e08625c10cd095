/**
 * A cache service URL with a query or a fragment (`http://svc/cache?x=1`,
 * `http://svc/#top`) is refused when the client is made: the client appends
 * `/v1/cache_id` to the URL's text, so the route landed inside the query or
 * fragment and every request went to the base path (a KBase service there
 * answered "POST is not allowed on /"), and a query value (a secret in it)
 * was sent along. The message hides the query's values.
 */
import { InvalidInputError } from "../src/errors.ts";
import { CacheClient } from "../src/server/client.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

Deno.test("cache client: a service URL with a query or fragment is refused before any request", () => {
  let requests = 0;
  const fetchSpy = (() => {
    requests++;
    return Promise.resolve(new Response("{}"));
  }) as typeof fetch;
  for (
    const url of [
      "http://127.0.0.1:9/cache?k=secretQuery",
      "http://127.0.0.1:9/?k=secretQuery",
      "http://127.0.0.1:9/#secretQuery",
      "https://svc.example/cache/?",
    ]
  ) {
    const error = assertThrows(
      () => new CacheClient({ url, token: "t", fetch: fetchSpy }),
      InvalidInputError,
      "no query or fragment",
    );
    assert(!error.message.includes("secretQuery"), error.message);
  }
  assertEquals(requests, 0);
  // Plain URLs, with a base path and a trailing slash, stay fine.
  new CacheClient({ url: "http://127.0.0.1:9/cache/", token: "t", fetch: fetchSpy });
  new CacheClient({ url: "http://127.0.0.1:9", token: "t", fetch: fetchSpy });
});
