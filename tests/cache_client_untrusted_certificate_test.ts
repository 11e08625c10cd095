/**
 * A cache service behind https whose certificate comes from a private CA
 * was reported as "cannot reach the cache service" with rustls' words
 * (`invalid peer certificate: UnknownIssuer`) and nothing else: it read as
 * a service that is down, and nothing said how to trust the CA. The error
 * now says the service's certificate is not trusted and names
 * `NODE_EXTRA_CA_CERTS` (which Deno's fetch reads) for a private CA.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { CacheClient } from "../src/server/mod.ts";
import { serveHttps } from "./https_test_server.ts";

Deno.test("a cache service whose certificate is not trusted is named so, with how to trust it", async () => {
  await using server = serveHttps(() => Response.json({ error: "never reached" }, { status: 500 }));
  const url = `https://127.0.0.1:${server.addr.port}`;
  const client = new CacheClient({ url, token: "t", maxAttempts: 1 });
  const error = await assertRejects(() => client.id({ kind: 1 }));
  const message = (error as Error).message;
  assertStringIncludes(message, "certificate is not trusted");
  assertStringIncludes(message, "NODE_EXTRA_CA_CERTS");
});
