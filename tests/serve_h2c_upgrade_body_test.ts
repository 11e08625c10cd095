/**
 * `curl --http2` to an `http://` URL sends its request with
 * `Upgrade: h2c`; Deno.serve answers one that has a body (every upload and
 * `cache_id` request) 400 with an empty body before vc sees it, and no log
 * line. The README says so and what to send instead; this holds it to what
 * Deno does (a Deno that upgrades, or passes the request on, fails it: the
 * README's line is then out of date).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { rawRequest, startService } from "./server_helpers.ts";

Deno.test("serve: a request with a body and Upgrade: h2c gets Deno's empty 400; without the upgrade it is served", async () => {
  await using t = await startService();
  const body = '{"a": 1}';
  const request = (upgrade: boolean) =>
    `POST /v1/cache_id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${t.tokens.alice}\r\n` +
    (upgrade
      ? "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
      : "Connection: close\r\n") +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const upgraded = await rawRequest(t.url, request(true));
  assertStringIncludes(upgraded, "HTTP/1.1 400 ");
  assertEquals(upgraded.split("\r\n\r\n")[1], "");
  assertEquals(t.logs.length, 0, t.logs.join("\n"));
  const plain = await rawRequest(t.url, request(false));
  assertStringIncludes(plain, "HTTP/1.1 200 ");
  assertStringIncludes(plain, '"cache_id"');
});
