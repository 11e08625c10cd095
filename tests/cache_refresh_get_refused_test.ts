/**
 * A revalidation whose HEAD found a new version and whose GET of it the
 * store then refused (403: credentials revoked or expired between the two
 * requests, a policy changed) failed with the GET's bare refusal, saying
 * nothing of the cached copy, though a refused HEAD says it is kept, its
 * age, and how offline mode serves it. Now the refused GET says the same;
 * the copy is kept, not recorded as deleted, and served offline, and the new
 * version is downloaded once the store lets it be.
 */
import { ManualClock, startFakeS3 } from "../src/testing/mod.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startForwardingProxy } from "./forwarding_proxy.ts";
import { cacheOverEndpoint } from "./versioned_helpers.ts";

const DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
  "<Message>Access Denied</Message></Error>";

Deno.test("revalidation: a GET of the new version refused after the HEAD names the copy kept", async () => {
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  await s3.putObject("b", "k.txt", "old");
  let denyGet = false;
  const proxy = startForwardingProxy(s3.url, (req) => {
    if (!denyGet || req.method !== "GET") return undefined;
    return new Response(DENIED, { status: 403, headers: { "content-type": "application/xml" } });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-refresh-get-403-" });
  const clock = new ManualClock(Date.UTC(2026, 11, 5));
  const url = `http://127.0.0.1:${proxy.addr.port}`;
  try {
    await using cache = cacheOverEndpoint(dir, url, { clock, timeout: 3600 });
    const path = await cache.cache("s3://b/k.txt");
    await s3.putObject("b", "k.txt", "new version");
    await clock.advance(2 * 3600_000);
    denyGet = true;
    const e = await assertRejects(() => cache.cache("s3://b/k.txt"), AccessDeniedError);
    assertStringIncludes(e.message, "s3://b/k.txt");
    assertStringIncludes(e.message, `cached copy at ${path}`);
    assertStringIncludes(e.message, "validated 2 h ago");
    assertStringIncludes(e.message, "kept but not served");
    assertStringIncludes(e.message, "VC_OFFLINE=1");
    // Kept on disk as it was, and not recorded as deleted: offline serves it.
    assertEquals(await Deno.readTextFile(path), "old");
    await using offline = cacheOverEndpoint(dir, url, { clock, offline: true });
    assertEquals(await offline.cache("s3://b/k.txt"), path);
    const [entry] = await cache.ls();
    assertEquals(entry?.gone, undefined);
    // The store lets it be read again: the new version is downloaded.
    denyGet = false;
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/k.txt")), "new version");
  } finally {
    await proxy.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
