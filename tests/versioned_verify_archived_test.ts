/**
 * A pinned version that a lifecycle rule (or `aws s3 cp --storage-class
 * GLACIER`) moved to an archive: S3 HEADs it as any other object but refuses
 * its GET until it is restored, so `vc path`, `vc sync` and CI's prefill fail
 * on every machine without a cached copy. `vc verify` ("every entry exists
 * remotely, matches") called it `ok`. The HEAD now tells the store's archive
 * class (`ObjectInfo.archived`) and verify reports such an entry, naming the
 * class and the restore; a restored copy, and the instantly readable
 * `GLACIER_IR`, stay `ok`. Against a stub answering HEAD as S3 does.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { S3Store } from "../src/store/s3.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

/** The archive headers of each key the stub HEADs. */
const OBJECTS: Record<string, Record<string, string>> = {
  "/b/cold.1.0.0.csv": { "x-amz-storage-class": "GLACIER" },
  "/b/deep.1.0.0.csv": { "x-amz-storage-class": "DEEP_ARCHIVE" },
  "/b/restoring.1.0.0.csv": {
    "x-amz-storage-class": "GLACIER",
    "x-amz-restore": 'ongoing-request="true"',
  },
  "/b/restored.1.0.0.csv": {
    "x-amz-storage-class": "GLACIER",
    "x-amz-restore": 'ongoing-request="false", expiry-date="Fri, 21 Dec 2040 00:00:00 GMT"',
  },
  "/b/tiered.1.0.0.csv": {
    "x-amz-storage-class": "INTELLIGENT_TIERING",
    "x-amz-archive-status": "DEEP_ARCHIVE_ACCESS",
  },
  "/b/instant.1.0.0.csv": { "x-amz-storage-class": "GLACIER_IR" },
  "/b/plain.1.0.0.csv": {},
};

function startStub(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    const headers = OBJECTS[new URL(req.url).pathname];
    if (req.method !== "HEAD" || headers === undefined) return new Response(null, { status: 404 });
    return new Response(null, {
      headers: {
        "content-length": "4",
        etag: '"e20523853d6733721071c2a4e95c9c60"',
        "last-modified": "Sat, 05 Dec 2026 17:00:00 GMT",
        ...headers,
      },
    });
  });
}

Deno.test("s3 store: head tells an archived object's class, none for a readable one", async () => {
  const server = startStub();
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    await using store = new S3Store({ bucket: "b", ...testS3Options({ url }).s3 });
    const archived: Record<string, string | undefined> = {};
    for (const path of Object.keys(OBJECTS)) {
      const key = path.slice("/b/".length);
      archived[key] = (await store.head(key))?.archived;
    }
    assertEquals(archived, {
      "cold.1.0.0.csv": "GLACIER",
      "deep.1.0.0.csv": "DEEP_ARCHIVE",
      "restoring.1.0.0.csv": "GLACIER",
      "restored.1.0.0.csv": undefined,
      "tiered.1.0.0.csv": "INTELLIGENT_TIERING (DEEP_ARCHIVE_ACCESS)",
      "instant.1.0.0.csv": undefined,
      "plain.1.0.0.csv": undefined,
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("verify reports a pinned version the store keeps archived", async () => {
  const server = startStub();
  try {
    await using dir = await tempDir("vc_verify_archived_");
    const store = testS3Options({ url: `http://127.0.0.1:${server.addr.port}` });
    await using cache = new AssetCache({
      cacheDir: join(dir.path, "cache"),
      configPath: false,
      env: {},
      store,
    });
    const manifest = join(dir.path, "versioned_assets.json");
    const entries = Object.fromEntries(
      Object.keys(OBJECTS).map((p) => [p.slice("/b".length).replace(".1.0.0", ""), "1.0.0"]),
    );
    await Deno.writeTextFile(manifest, JSON.stringify(entries));
    await using vc = new VersionedCache({ manifest, bucket: "s3://b", cache, store, lock: false });
    const results = await vc.verify();
    const ok = Object.fromEntries(results.map((r) => [r.path, r.ok]));
    assertEquals(ok, {
      "/cold.csv": false,
      "/deep.csv": false,
      "/instant.csv": true,
      "/plain.csv": true,
      "/restored.csv": true,
      "/restoring.csv": false,
      "/tiered.csv": false,
    });
    const cold = results.find((r) => r.path === "/cold.csv")!;
    assertStringIncludes(
      cold.problem ?? "",
      "s3://b/cold.1.0.0.csv is archived (storage class GLACIER): it cannot be read until it " +
        "is restored",
    );
    assertStringIncludes(cold.problem ?? "", "aws s3api restore-object");
    assertEquals(cold.errorName, undefined);
  } finally {
    await server.shutdown();
  }
});
