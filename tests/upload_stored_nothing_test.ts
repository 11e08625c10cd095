/**
 * A PUT answered 200 with the body's MD5 as its ETag that stored nothing (a
 * gateway or proxy that acknowledges writes it then drops). The check after
 * an upload trusted an MD5 ETag without asking the store, so `vc add` pinned
 * a version that did not exist in the manifest and `vc repo add` recorded a
 * record whose content was missing: both reported success. Now the upload
 * is confirmed present (a HEAD) before anything points at it: the add fails
 * naming the object and saying it is missing, and the manifest and the
 * catalog stay as they were.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { openStore } from "../src/store/open.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { Repository } from "../src/repo/mod.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

/** The fake S3 behind a proxy that, once `drop.on`, acknowledges single PUTs of objects and keeps nothing. */
async function droppingPuts() {
  const drop = { on: false, dropped: [] as string[] };
  const proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    const objectPut = req.method === "PUT" && !url.searchParams.has("uploadId") &&
      !req.headers.has("x-amz-copy-source");
    if (drop.on && objectPut) {
      const body = new Uint8Array(await req.arrayBuffer());
      drop.dropped.push(url.pathname);
      return new Response(null, { status: 200, headers: { etag: `"${md5Hex(body)}"` } });
    }
    return await forward();
  });
  return { proxied, drop, store: testS3Options({ url: proxied.endpoint }, { maxAttempts: 1 }) };
}

Deno.test("vc add: a PUT acknowledged but not stored fails, and the manifest is not changed", async () => {
  const { proxied, drop, store } = await droppingPuts();
  await using _proxied = proxied;
  await using dir = await tempDir();
  const manifest = join(dir.path, "versioned_assets.json");
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store,
  });
  await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache, store });
  const file = await writeFile(dir.path, "a.csv", "a,b\n1,2\n");
  drop.on = true;
  const error = await assertRejects(() => vc.add("/a.csv", file), IntegrityError);
  assertEquals(drop.dropped, ["/b/a.1.0.0.csv"]);
  assertStringIncludes(error.message, "s3://b/a.1.0.0.csv");
  assertStringIncludes(error.message, "missing right after the upload");
  assertStringIncludes(error.message, "was not changed");
  assertEquals(await Deno.stat(manifest).then(() => true, () => false), false);
});

Deno.test("vc repo add: a PUT acknowledged but not stored fails, and nothing is recorded", async () => {
  const { proxied, drop, store } = await droppingPuts();
  await using _proxied = proxied;
  await using dir = await tempDir();
  await using repo = await Repository.init("s3://b/repo", {
    catalog: `sqlite:${join(dir.path, "c.sqlite")}`,
    openStore: (u: string) => openStore(u, store),
  });
  const file = await writeFile(dir.path, "a.csv", "a,b\n1,2\n");
  drop.on = true;
  const error = await assertRejects(() => repo.add("/raw/a.csv", file), IntegrityError);
  assertEquals(drop.dropped.length, 1);
  assertStringIncludes(error.message, "/raw/a.csv");
  assertStringIncludes(error.message, "missing right after the upload");
  assertEquals(await repo.list(), []);
});
