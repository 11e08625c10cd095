/**
 * Offline mode (`--offline`, `VC_OFFLINE=1`, the `offline` option) serves
 * whatever is cached without asking the store, and said nothing when the
 * copy it served was past its TTL: a user on a train got a model last
 * confirmed a week ago exactly as one confirmed a minute ago, while the same
 * copy served with the store unreachable is warned about. Now such a copy
 * (past its TTL, invalidated, or validated in the future by this clock) is
 * reported to `onStale` with `offline: true` (no warning printed by the
 * library: offline was asked for), and `vc cache get` prints one note on
 * stderr naming the URI and when the store last confirmed it, and marks it
 * stale in `--json`. A copy within its TTL, an immutable object or bucket
 * gets no note.
 */
import { ManualClock } from "../src/testing/mod.ts";
import type { StaleCopy } from "../src/cache/asset_cache.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { KEPT_URI, withOverrideObject, withStoreGone } from "./store_gone_run.ts";

const URI = "s3://b/k.txt";

Deno.test("cache() offline: onStale tells of a copy past its TTL, with no warning printed", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "kept");
    const start = Date.UTC(2026, 11, 5);
    const clock = new ManualClock(start);
    const path = await make({ clock, timeout: 3600 }).cache(URI);
    await s3.stop(); // offline asks nothing anyway: the port is closed
    const warnings: string[] = [];
    const offline = make({ clock, timeout: 3600, offline: true, warn: (m) => warnings.push(m) });
    const seen: StaleCopy[] = [];
    const onStale = (s: StaleCopy) => seen.push(s);
    assertEquals(await offline.cache(URI, { onStale }), path);
    assertEquals(seen, [], "a copy within its TTL is no stale copy, offline or not");

    await clock.advance(3 * 86_400_000);
    assertEquals(await offline.cache(URI, { onStale }), path);
    assertEquals(seen.length, 1);
    assertEquals(seen[0]!.offline, true);
    assertEquals(seen[0]!.validatedAt.getTime(), start);
    assertStringIncludes(seen[0]!.reason, "offline mode is on (the offline option)");
    // The warm path (the same process, the record in memory) says it too.
    assertEquals(await offline.cache(URI, { onStale }), path);
    assertEquals(seen.length, 2);
    // Immutable: never revalidated, so never stale.
    assertEquals(await offline.cache(URI, { onStale, immutable: true }), path);
    assertEquals(seen.length, 2);
    const bucket = make({ clock, timeout: 3600, offline: true, immutableBuckets: ["b"] });
    assertEquals(await bucket.cache(URI, { onStale }), path);
    assertEquals(seen.length, 2);
    // Invalidated and served offline: dated the epoch, as online.
    await offline.invalidate(URI);
    assertEquals(await offline.cache(URI, { onStale, immutable: true }), path);
    assertEquals(seen.length, 3);
    assertEquals(seen[2]!.validatedAt.getTime(), 0);
    assertEquals(warnings, [], "offline was asked for: the library prints nothing");
  }, { maxAttempts: 1 });
});

Deno.test("vc cache get --offline: one note naming the URI and its age when past the TTL", async () => {
  await using ws = await CliWorkspace.create();
  await withStoreGone(ws, async (env) => {
    // Within the TTL (default 1 day): nothing said.
    const fresh = await ws.run(["cache", "get", KEPT_URI, "--offline"], env);
    assertEquals(fresh.code, 0, fresh.stderr);
    assertEquals(fresh.stderr, "");
    // Due (TTL 0: due on every use): one line.
    const due = await ws.run(["cache", "get", KEPT_URI, "--offline", "--timeout", "0"], env);
    assertEquals(due.code, 0, due.stderr);
    assertEquals(due.stdout.trim(), fresh.stdout.trim());
    const lines = due.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, due.stderr);
    assertStringIncludes(lines[0]!, KEPT_URI);
    assertStringIncludes(lines[0]!, "offline mode is on (--offline)");
    assert(/validated \d+ s ago/.test(lines[0]!), lines[0]);
    // The same from VC_OFFLINE, named so.
    const byEnv = await ws.run(["cache", "get", KEPT_URI, "--timeout", "0"], {
      ...env,
      VC_OFFLINE: "1",
    });
    assertStringIncludes(byEnv.stderr, "offline mode is on (VC_OFFLINE)");
    // --json: marked stale for a script, which reads no stderr.
    const json = await ws.run(
      ["cache", "get", KEPT_URI, "--offline", "--timeout", "0", "--json"],
      env,
    );
    assertEquals(json.code, 0, json.stderr);
    const doc = json.json<Record<string, unknown>>();
    assertEquals(doc.stale, true, json.stdout);
    assertStringIncludes(String(doc.staleReason), "offline mode is on (--offline)");
    // Immutable (the flag or the bucket): never revalidated, so no note.
    const flag = await ws.run(
      ["cache", "get", KEPT_URI, "--offline", "--timeout", "0", "--immutable"],
      env,
    );
    assertEquals(flag.stderr, "");
    const bucket = await ws.run(["cache", "get", KEPT_URI, "--offline", "--timeout", "0"], {
      ...env,
      VC_IMMUTABLE_BUCKETS: "data",
    });
    assertEquals(bucket.stderr, "");
  });
});

Deno.test("vc path --offline of an s3:// override past its TTL: the same note, stale in --json", async () => {
  await using ws = await CliWorkspace.create();
  await withOverrideObject(ws, async (s3, env) => {
    const fresh = await ws.run(["path", "/x.csv"], env);
    assertEquals(fresh.code, 0, fresh.stderr);
    await s3.stop();
    const due = await ws.run(["path", "/x.csv", "--offline", "--timeout", "0"], env);
    assertEquals(due.code, 0, due.stderr);
    assertEquals(due.stdout, fresh.stdout);
    assertEquals(due.stderr.trimEnd().split("\n").length, 1, due.stderr);
    assertStringIncludes(due.stderr, "s3://data/dev/x.csv: serving the cached copy, validated");
    const json = await ws.run(["path", "/x.csv", "--offline", "--timeout", "0", "--json"], env);
    assertEquals(json.json<Record<string, unknown>>().stale, true, json.stdout);
  });
});
