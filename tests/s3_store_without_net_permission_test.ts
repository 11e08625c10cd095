/**
 * A script run without `--allow-net` (the README lists it among the
 * permissions an `s3://` store needs): every request was a `StoreError`
 * (`GET s3://b/k failed: error sending request … Requires net access …
 * (gave up after 5 attempts)`), as if the store had failed, retried with
 * backoff although no attempt can pass. It is an `AccessDeniedError` naming
 * the permission and the host, at the first attempt, as one for env or sys
 * is; `cache()` of an `s3://` URI says the same.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { runLimitedScript } from "./limited_permission_script.ts";

Deno.test("s3 store without --allow-net: each request is an AccessDeniedError naming the permission, not retried", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "k.txt", "abc");
  const dir = await Deno.makeTempDir({ prefix: "vc-s3-no-net-" });
  try {
    const lines = await runLimitedScript(
      dir,
      {
        imports: ["AssetCache", "errorKind", "openStore"],
        shown: `errorKind(e) + " " + e.constructor.name + ": " + e.message`,
        body: `
        const store = await openStore("s3://b");
        await show(store.head("k.txt"));
        await show(store.get("k.txt").then((r) => r.body.cancel()));
        await show(store.put("n.txt", new Uint8Array(3)));
        await show(store.delete(["k.txt", "j.txt"]));
        await store.close();
        await using cache = new AssetCache({ cacheDir: ${
          JSON.stringify(`${dir}/cache`)
        }, configPath: false });
        await show(cache.cache("s3://b/k.txt"));`,
      },
      ["--allow-env", "--allow-sys"],
      { ...fake.env, NO_COLOR: "1" },
    );
    assertEquals(lines.length, 5, lines.join("\n"));
    const host = new URL(fake.url).host;
    for (const line of lines) {
      assertStringIncludes(line, "AccessDeniedError AccessDeniedError: ");
      assertStringIncludes(line, "an s3:// store needs net permission");
      assertStringIncludes(line, `run with --allow-net (or --allow-net=${host})`);
      assert(!line.includes("gave up after"), line);
    }
    assertEquals(fake.stats.total, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
