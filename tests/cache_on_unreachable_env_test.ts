/**
 * With the store unreachable and a copy past its TTL, the copy is served
 * with a warning; a library caller makes that fail instead with
 * `onUnreachable: "fail"`, but the command line had no way to: a deploy
 * script running `vc cache get` or `vc path` against a store it could not
 * reach got last week's copy, exit 0, and a warning on stderr. Now
 * `VC_ON_UNREACHABLE=fail` does what the option does, for every command
 * and for an `AssetCache` given no `onUnreachable` (the option wins); a
 * value other than `warn` or `fail` is refused naming the variable, and
 * `vc config` shows the setting and where it came from.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { InvalidInputError, OfflineError } from "../mod.ts";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { KEPT_URI, withStoreGone } from "./store_gone_run.ts";

Deno.test("AssetCache: VC_ON_UNREACHABLE=fail refuses a stale copy the store cannot confirm", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "kept");
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    const env = { VC_ON_UNREACHABLE: "fail" };
    const strict = make({ clock, timeout: 60, env });
    const path = await strict.cache("s3://b/k.txt");
    await s3.stop();
    await clock.advance(61_000);
    const e = await assertRejects(() => strict.cache("s3://b/k.txt"), OfflineError);
    assertStringIncludes(e.message, "cannot reach the store to revalidate s3://b/k.txt");
    // The option wins over the variable.
    const lenient = make({ clock, timeout: 60, env, onUnreachable: "warn" });
    assertEquals(await lenient.cache("s3://b/k.txt"), path);
    // Offline mode asks nothing: the copy is served.
    const offline = make({ clock, timeout: 60, env: { ...env, VC_OFFLINE: "1" } });
    assertEquals(await offline.cache("s3://b/k.txt"), path);
  }, { maxAttempts: 1 });
});

Deno.test("AssetCache: a VC_ON_UNREACHABLE other than warn or fail is refused naming it", async () => {
  await withS3Cache((_s3, make) => {
    const e = assertThrows(() => make({ env: { VC_ON_UNREACHABLE: "error" } }), InvalidInputError);
    assertStringIncludes(e.message, "VC_ON_UNREACHABLE");
    assertStringIncludes(e.message, '"error"');
    assertStringIncludes(e.message, '"fail"');
    return Promise.resolve();
  });
});

Deno.test("vc cache get with VC_ON_UNREACHABLE=fail: exit 1 instead of a stale copy; vc config shows it", async () => {
  await using ws = await CliWorkspace.create();
  await withStoreGone(ws, async (env) => {
    const strictEnv = { ...env, VC_ON_UNREACHABLE: "fail" };
    const strict = await ws.run(["cache", "get", KEPT_URI, "--timeout", "0"], strictEnv);
    assertEquals(strict.code, 1, strict.stdout);
    assertEquals(strict.stdout, "");
    assertStringIncludes(strict.stderr, "cannot reach the store to revalidate s3://data/k.txt");
    // Unset: served with a warning, as before.
    const lenient = await ws.run(["cache", "get", KEPT_URI, "--timeout", "0"], env);
    assertEquals(lenient.code, 0, lenient.stderr);
    assertStringIncludes(lenient.stderr, "cannot reach the store");
    const row = await ws.run(["config", "onUnreachable", "--json"], strictEnv);
    assertEquals(row.code, 0, row.stderr);
    const doc = row.json<{ value: unknown; source: string }>();
    assertEquals([doc.value, doc.source], ["fail", "env VC_ON_UNREACHABLE"]);
    const bad = await ws.run(["cache", "get", KEPT_URI], {
      ...env,
      VC_ON_UNREACHABLE: "strict",
    });
    assertEquals(bad.code, 1, bad.stderr);
    assertStringIncludes(bad.stderr, "VC_ON_UNREACHABLE");
  });
});
