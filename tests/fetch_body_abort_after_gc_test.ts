/**
 * Deno's fetch hears the signal given to it through the Request's own
 * signal, which the given one reaches only weakly: once the Response is
 * unreachable (only its body or reader kept), a garbage collection dropped
 * it, and an abort (the caller's, or an idle-read guard's) never reached a
 * read of a stalled body, which then hung forever (a CI run under load:
 * "hung: still pending after 20000 ms" in s3_timeout_test.ts). Every place
 * that hands on or reads a fetch body is checked here: the S3 store's
 * guarded body, its unguarded ones (no request timeout; `rawBody`), the
 * downloader over them, and the cache service client's download. The
 * checks run in a child with `--v8-flags=--expose-gc` (the test runner has
 * no `gc()`), which collects garbage before the abort or read.
 */
import { assertEquals } from "./assert.ts";
import { gcChildResult } from "./gc_child.ts";

/** How each of `scenarios` (named in the child) ended, run in one child. */
function inChild(...scenarios: string[]): Promise<Record<string, string>> {
  return gcChildResult("fetch_body_abort_after_gc_child.ts", ...scenarios);
}

Deno.test("S3Store over fetch: a stalled body still times out, and still hears the caller's abort, after a garbage collection", async () => {
  assertEquals(await inChild("s3 idle guard", "s3 caller abort"), {
    "s3 idle guard": "timeout naming the endpoint",
    "s3 caller abort": "aborted by the caller",
  });
});

Deno.test("S3Store over fetch: an unguarded body (no request timeout, or rawBody) still hears the caller's abort after a garbage collection", async () => {
  assertEquals(await inChild("s3 no timeout, caller abort", "s3 raw body, caller abort"), {
    "s3 no timeout, caller abort": "aborted by the caller",
    "s3 raw body, caller abort": "aborted by the caller",
  });
});

Deno.test("downloadToFile over S3: a stalled body still hears the caller's abort after a garbage collection (one stream, no timeout; parallel piped ranges)", async () => {
  assertEquals(
    await inChild("download, no timeout, caller abort", "parallel download, caller abort"),
    {
      "download, no timeout, caller abort": "aborted by the caller",
      "parallel download, caller abort": "aborted by the caller",
    },
  );
});

Deno.test("CacheClient.get: a stalled download body still hears the caller's abort after a garbage collection (with and without a timeout)", async () => {
  assertEquals(
    await inChild("client get, caller abort", "client get, no timeout, caller abort"),
    {
      "client get, caller abort": "aborted by the caller",
      "client get, no timeout, caller abort": "aborted by the caller",
    },
  );
});

Deno.test("KBaseAuth: an answer that stalls mid-body still times out (504) after a garbage collection", async () => {
  assertEquals(await inChild("kbase auth, timeout"), { "kbase auth, timeout": "504" });
});
