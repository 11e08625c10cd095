/**
 * An offline cache that had just missed an entry kept refusing it for two
 * seconds after another cache (another process, or another `AssetCache` in
 * this one) had downloaded and recorded it: the "journal missing" it
 * remembered from its first look was taken as the answer, and offline there
 * is no download whose lock looks again. Offline, a miss now reads the
 * record before it is refused.
 */
import type { AssetCache } from "../src/cache/asset_cache.ts";
import { OfflineError } from "../src/errors.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("offline: an entry another cache recorded just after a miss is served, not refused", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "data/a.csv", "a,b\n");
    const offline: AssetCache = make({ offline: true });
    const online = make();
    await assertRejects(() => offline.cache("s3://b/data/a.csv"), OfflineError, "is not cached");
    const path = await online.cache("s3://b/data/a.csv");
    // At once: within the two seconds the first look's miss was trusted for.
    assertEquals(await offline.cache("s3://b/data/a.csv"), path);
    assertEquals(await Deno.readTextFile(path), "a,b\n");
  });
});

Deno.test("offline: an entry another cache recorded in a directory with other records is served", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "data/a.csv", "a\n");
    await s3.putObject("b", "data/b.csv", "b\n");
    const online = make();
    await online.cache("s3://b/data/a.csv");
    const offline = make({ offline: true });
    await assertRejects(() => offline.cache("s3://b/data/b.csv"), OfflineError, "is not cached");
    const path = await online.cache("s3://b/data/b.csv");
    assertEquals(await offline.cache("s3://b/data/b.csv"), path);
  });
});
