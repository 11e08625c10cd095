/**
 * A copy served because the store could not be asked (unreachable, or an
 * answer vc cannot verify against) was said only in a warning on stderr:
 * `cache()` returned the same path as for a fresh copy, and
 * `vc cache get --json` printed `{"uri", "local"}`, so a script reading the
 * JSON could not tell a copy the store just confirmed from one a week old.
 * `cache()` now calls its `onStale` option with why and since when, on each
 * call that serves such a copy (also the calls of the minute after, which do
 * not ask the store again), and `vc cache get --json` adds
 * `"stale": true, "staleReason", "validatedAt"` (absent for a fresh copy).
 */
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { answeringS3, cacheOverEndpoint } from "./versioned_helpers.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { KEPT_URI, withKeptObject } from "./store_gone_run.ts";
import { staleOnceStoreGone } from "./stale_json_run.ts";
import type { StaleCopy } from "../src/cache/asset_cache.ts";

const MD5_HELLO = "5d41402abc4b2a76b9719d911017c592";

Deno.test("cache(): onStale says when a copy is served because the store did not answer", async () => {
  let down = false;
  await using server = answeringS3((req) => {
    if (down) return new Response(req.method === "HEAD" ? null : "busy", { status: 503 });
    const headers = new Headers({ etag: `"${MD5_HELLO}"`, "content-length": "5" });
    return new Response(req.method === "HEAD" ? null : "hello", { headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-served-stale-" });
  const start = Date.UTC(2026, 11, 5);
  const clock = new ManualClock(start);
  try {
    await using cache = cacheOverEndpoint(dir, server.url, { clock, timeout: 3600 });
    const seen: StaleCopy[] = [];
    const onStale = (s: StaleCopy) => seen.push(s);
    const path = await cache.cache("s3://b/k.txt", { onStale });
    assertEquals(seen, [], "a download is no stale copy");
    assertEquals(await cache.cache("s3://b/k.txt", { onStale }), path);
    assertEquals(seen, [], "a copy within its TTL is no stale copy");
    down = true;
    await clock.advance(2 * 3600_000);
    assertEquals(await cache.cache("s3://b/k.txt", { onStale }), path);
    assertEquals(seen.length, 1);
    assertEquals(seen[0]!.validatedAt.getTime(), start);
    assertStringIncludes(seen[0]!.reason, "503");
    // The minute after, served without asking: still stale, still said.
    assertEquals(await cache.cache("s3://b/k.txt", { onStale }), path);
    assertEquals(seen.length, 2);
    // The store answers: fresh again, nothing said.
    down = false;
    await clock.advance(120_000);
    assertEquals(await cache.cache("s3://b/k.txt", { onStale }), path);
    assertEquals(seen.length, 2);
    // Invalidated, then served unconfirmed: dated the epoch, as `ls()` dates it.
    await cache.invalidate("s3://b/k.txt");
    down = true;
    assertEquals(await cache.cache("s3://b/k.txt", { onStale }), path);
    assertEquals(seen.length, 3);
    assertEquals(seen[2]!.validatedAt.getTime(), 0);
    // A callback that is no function is refused before anything is read.
    await assertRejects(
      () => cache.cache("s3://b/k.txt", { onStale: "yes" as unknown as () => void }),
      Error,
      "onStale must be a function",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc cache get --json: a copy served with the store unreachable says stale, why and since when", async () => {
  await using ws = await CliWorkspace.create();
  await withKeptObject(async (s3, env) => {
    const doc = await staleOnceStoreGone(ws, s3, ["cache", "get", KEPT_URI], env);
    assertEquals(doc.uri, "s3://data/k.txt");
  });
});
