/**
 * An `AssetCache` whose `warn` throws: `cache()` rejected with the bare value
 * it threw, as if the cache had failed. Now it rejects with a
 * `CallbackError` naming `warn`, its `cause` what was thrown (the library's
 * rule for callbacks), and a call without the throwing `warn` is served.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CallbackError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("cache(): a warn that throws rejects with a CallbackError carrying it", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "data/x.csv", "a,b\n1,2\n");
    const path = await make().cache("s3://b/data/x.csv");
    // Edited in place at the same size: the next call warns and downloads it again.
    const { mtime } = await Deno.stat(path);
    await Deno.writeTextFile(path, "a,b\n9,9\n");
    const later = new Date(mtime!.getTime() + 1000);
    await Deno.utime(path, later, later);
    const boom = new Error("warn boom");
    const thrown = await assertRejects(
      () =>
        make({
          warn: () => {
            throw boom;
          },
        }).cache("s3://b/data/x.csv"),
      CallbackError,
    );
    assertEquals(thrown.callback, "warn");
    assert(thrown.cause === boom, `cause ${thrown.cause}`);
    assertEquals(await make().cache("s3://b/data/x.csv"), path);
    assertEquals(await Deno.readTextFile(path), "a,b\n1,2\n");
  }, { maxAttempts: 2 });
});
