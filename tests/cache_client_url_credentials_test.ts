/**
 * A cache service URL with credentials (`http://user:pass@svc/cache`) is
 * refused when the client is made. fetch sends the URL's `user:password` as
 * `Basic` credentials in the Authorization header beside the token, which
 * HTTP joins into one value (`Basic dTpw, <token>`): every request was
 * refused 401 "invalid token (… was it sent twice? send one)", a header the
 * user never sent twice. The message masks the password.
 */
import { InvalidInputError } from "../src/errors.ts";
import { CacheClient } from "../src/server/client.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

Deno.test("cache client: a service URL with user:password@ is refused before any request", () => {
  let requests = 0;
  const fetchSpy = (() => {
    requests++;
    return Promise.resolve(new Response("{}"));
  }) as typeof fetch;
  for (
    const url of [
      "http://alice:secretPass@127.0.0.1:9/cache",
      "https://alice@svc.example/",
      "http://:secretPass@127.0.0.1:9",
    ]
  ) {
    const error = assertThrows(
      () => new CacheClient({ url, token: "t", fetch: fetchSpy }),
      InvalidInputError,
      "carries credentials",
    );
    assert(!error.message.includes("secretPass"), error.message);
    assert(error.message.includes("token"), error.message);
  }
  assertEquals(requests, 0);
});
