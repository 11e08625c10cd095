/**
 * Versions that other tools (baiji-pod, hand-made uploads) stored under a key
 * with a leading `/` (`/foo/bar.1.0.0.csv`): listed by `versions` and
 * `ls-remote`, read by `path`, `sync`, `verify`, `prefill` and the lock
 * commands, with the canonical key (`foo/bar.1.0.0.csv`) preferred when both
 * exist; `add`/`update` keep writing the canonical key. The objects are
 * written with raw HTTP PUTs, as another tool would, not through vc.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError, NotFoundError, OfflineError } from "../src/errors.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { CacheLayout } from "../src/cache/layout.ts";
import { FsStore } from "../src/store/fs.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { FakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { checkLock, fillLock } from "../src/versioned/lock_ops.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { rawPut, tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

const BUCKET = "slash-assets";

function setup(s3: FakeS3, dir: string, prefix: string) {
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  const vc = new VersionedCache({
    manifest: join(dir, "versioned_assets.json"),
    bucket: `s3://${BUCKET}${prefix === "" ? "" : `/${prefix}`}`,
    cache,
    store: testS3Options(s3),
  });
  return {
    cache,
    vc,
    [Symbol.asyncDispose]: async () => {
      await vc.close();
      await cache.close();
    },
  };
}

for (const prefix of ["", "pre"]) {
  const at = (key: string) => (prefix === "" ? key : `${prefix}/${key}`);
  const label = prefix === "" ? "bucket root" : `prefix ${prefix}`;

  Deno.test(`versions stored under a leading / are listed and read (${label})`, async () => {
    await using s3 = await startFakeS3({ buckets: [BUCKET] });
    await using dir = await tempDir();
    await using t = setup(s3, dir.path, prefix);
    const { vc, cache } = t;
    // 1.0.0 only under the / key; 2.0.0 under both (the canonical one wins);
    // 3.0.0 only canonical. A doubled // is another asset's key: not a version.
    await rawPut(s3, BUCKET, at("/foo/bar.1.0.0.csv"), "slash 1.0.0");
    await rawPut(s3, BUCKET, at("/foo/bar.2.0.0.csv"), "slash 2.0.0");
    await rawPut(s3, BUCKET, at("foo/bar.2.0.0.csv"), "canonical 2.0.0");
    await rawPut(s3, BUCKET, at("foo/bar.3.0.0.csv"), "canonical 3.0.0");
    await rawPut(s3, BUCKET, at("//foo/bar.4.0.0.csv"), "double slash");
    assertEquals(s3.listKeys(BUCKET).length, 5);

    assertEquals(await vc.versions("/foo/bar.csv"), ["1.0.0", "2.0.0", "3.0.0"]);
    assertEquals(await vc.lsRemote(), [
      { path: "/foo/bar.csv", versions: ["1.0.0", "2.0.0", "3.0.0"] },
    ]);

    const slashLocal = await vc.path("/foo/bar.csv", "1.0.0");
    assertEquals(await Deno.readTextFile(slashLocal), "slash 1.0.0");
    assertEquals(
      await Deno.readTextFile(await vc.path("/foo/bar.csv", "2.0.0")),
      "canonical 2.0.0",
    );
    assertEquals(
      await Deno.readTextFile(await vc.path("/foo/bar.csv", "3.0.0")),
      "canonical 3.0.0",
    );
    // The / key has its own place in the cache: inside it, apart from the canonical key's.
    assert(slashLocal.startsWith(cache.dir + "/"), slashLocal);
    assertStringIncludes(slashLocal, "/%_/foo/bar.1.0.0.csv");
    assertEquals(slashLocal, cache.localPath(`s3://${BUCKET}/${at("/foo/bar.1.0.0.csv")}`));
    assert(slashLocal !== cache.localPath(`s3://${BUCKET}/${at("foo/bar.1.0.0.csv")}`));

    // Warm: served from the cache (the canonical key is asked once more: it might appear).
    s3.resetStats();
    assertEquals(await vc.path("/foo/bar.csv", "1.0.0"), slashLocal);
    assertEquals(s3.stats.GetObject + s3.stats.HeadObject, 1);
    s3.resetStats();
    await vc.path("/foo/bar.csv", "3.0.0");
    assertEquals(s3.stats.total, 0, "a canonical cache hit asks nothing");

    const missing = await assertRejects(() => vc.path("/foo/bar.csv", "4.0.0"), NotFoundError);
    assertStringIncludes(missing.message, `s3://${BUCKET}/${at("foo/bar.4.0.0.csv")}`);
    assertStringIncludes(missing.message, `nor s3://${BUCKET}/${at("/foo/bar.4.0.0.csv")}`);
    assertStringIncludes(missing.message, "available: 1.0.0, 2.0.0, 3.0.0");

    // Pinned in the manifest: sync, verify and a cold prefill read the / key.
    await Deno.writeTextFile(vc.manifest, '{"/foo/bar.csv": "1.0.0"}');
    const out = join(dir.path, "out");
    await vc.sync(out);
    assertEquals(await Deno.readTextFile(join(out, "foo/bar.csv")), "slash 1.0.0");
    assertEquals((await vc.verify()).map((r) => [r.path, r.ok, r.problem]), [
      ["/foo/bar.csv", true, undefined],
    ]);
    await using fresh = new AssetCache({
      cacheDir: join(dir.path, "cache2"),
      configPath: false,
      env: {},
      store: testS3Options(s3),
    });
    const summary = await prefill({ cache: fresh, versioned: [vc], uris: ["/foo/bar.csv@2.0.0"] });
    assertEquals([summary.fetched, summary.failed], [2, []]);
    assertEquals(
      await Deno.readTextFile(fresh.localPath(`s3://${BUCKET}/${at("/foo/bar.1.0.0.csv")}`)),
      "slash 1.0.0",
    );
    assertEquals(
      await Deno.readTextFile(fresh.localPath(`s3://${BUCKET}/${at("foo/bar.2.0.0.csv")}`)),
      "canonical 2.0.0",
    );
    // The / copy of 2.0.0 is never read: the canonical key wins.
    await assertRejects(
      () => Deno.stat(fresh.localPath(`s3://${BUCKET}/${at("/foo/bar.2.0.0.csv")}`)),
      Deno.errors.NotFound,
    );

    // The integrity lock reads the / key too.
    assertEquals((await fillLock(vc)).map((r) => r.status), ["added"]);
    assertEquals((await checkLock(vc)).map((r) => r.status), ["ok"]);
  });

  Deno.test(`add and update see / versions and keep writing the canonical key (${label})`, async () => {
    await using s3 = await startFakeS3({ buckets: [BUCKET] });
    await using dir = await tempDir();
    await using t = setup(s3, dir.path, prefix);
    const { vc } = t;
    await rawPut(s3, BUCKET, at("/old.1.2.0.csv"), "old");
    const file = await writeFile(dir.path, "old.csv", "old");

    const refused = await assertRejects(() => vc.add("/old.csv", file), InvalidInputError);
    assertStringIncludes(refused.message, "already has versions");
    assertStringIncludes(refused.message, "1.2.0");
    // A baiji-pod manifest pins it; an update of identical content is refused
    // against the latest version, which only the / key holds.
    await Deno.writeTextFile(vc.manifest, '{"/old.csv": "1.2.0"}');
    const same = await assertRejects(
      () => vc.update("/old.csv", file, { patch: true }),
      InvalidInputError,
    );
    assertStringIncludes(same.message, `s3://${BUCKET}/${at("/old.1.2.0.csv")}`);

    await Deno.writeTextFile(file, "new");
    assertEquals(await vc.update("/old.csv", file, { patch: true }), {
      path: "/old.csv",
      from: "1.2.0",
      to: "1.2.1",
    });
    assertEquals(s3.listKeys(BUCKET).sort(), [at("/old.1.2.0.csv"), at("old.1.2.1.csv")].sort());
    assertEquals(await vc.versions("/old.csv"), ["1.2.0", "1.2.1"]);
    assertEquals(await Deno.readTextFile(await vc.path("/old.csv")), "new");
  });
}

Deno.test("offline, a cached copy of a / key is served; one never cached is an OfflineError", async () => {
  await using dir = await tempDir();
  const manifest = join(dir.path, "versioned_assets.json");
  const cacheDir = join(dir.path, "cache");
  let endpoint: string;
  {
    await using s3 = await startFakeS3({ buckets: [BUCKET] });
    endpoint = s3.url;
    await rawPut(s3, BUCKET, "/a.1.0.0.csv", "slash a");
    await rawPut(s3, BUCKET, "/b.1.0.0.csv", "slash b");
    await using t = setup(s3, dir.path, "");
    assertEquals(await Deno.readTextFile(await t.vc.path("/a.csv", "1.0.0")), "slash a");
  }
  // The server is gone: --offline, and plain unreachable.
  const store = { s3: { ...testS3Options({ url: endpoint }).s3, maxAttempts: 1 } };
  for (const offline of [true, false]) {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, offline, store });
    await using vc = new VersionedCache({ manifest, bucket: `s3://${BUCKET}`, cache, store });
    assertEquals(await Deno.readTextFile(await vc.path("/a.csv", "1.0.0")), "slash a");
    await assertRejects(() => vc.path("/b.csv", "1.0.0"), OfflineError, "b.1.0.0.csv");
  }
});

Deno.test("a directory bucket has no / keys: versions and path work as before", async () => {
  await using dir = await tempDir();
  const bucket = join(dir.path, "bucket");
  await writeFile(bucket, "a/b.1.0.0.csv", "plain");
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket,
    cache,
  });
  assertEquals(await vc.versions("/a/b.csv"), ["1.0.0"]);
  assertEquals(await Deno.readTextFile(await vc.path("/a/b.csv", "1.0.0")), "plain");
  assertEquals((await vc.resolve("/a/b.csv", "1.0.0")).slashedUri, undefined);
  const e = await assertRejects(() => vc.path("/a/b.csv", "2.0.0"), NotFoundError);
  assertStringIncludes(e.message, "available: 1.0.0");
  // FsStore itself refuses such keys, naming them.
  const store = new FsStore(bucket);
  await assertRejects(() => store.head("/a/b.1.0.0.csv"), InvalidInputError, '"/a/b.1.0.0.csv"');
  await store.close();
});

Deno.test("cache layout: /, // and .. keys map to distinct paths inside the cache dir", () => {
  const layout = new CacheLayout("/tmp/vc-slash-cache");
  const keys = [
    "a/b",
    "/a/b",
    "//a/b",
    "a//b",
    "a/b/",
    "/",
    "//",
    "/../a/b",
    "../a/b",
    "/./a/b",
    "%_/a/b",
    "%5F/a/b",
  ];
  const paths = keys.map((key) => layout.locate({ scheme: "s3", bucket: "b", key }));
  for (const [i, loc] of paths.entries()) {
    assert(loc.dataPath.startsWith("/tmp/vc-slash-cache/s3/b/"), `${keys[i]} -> ${loc.dataPath}`);
    assert(loc.metaPath.startsWith("/tmp/vc-slash-cache/.meta/s3/b/"), loc.metaPath);
    assert(!loc.relPath.split("/").some((s) => s === "" || s === "." || s === ".."), loc.relPath);
  }
  assertEquals(new Set(paths.map((p) => p.dataPath)).size, keys.length, "injective");
  assertEquals(paths[1]?.dataPath, "/tmp/vc-slash-cache/s3/b/%_/a/b");
  assertEquals(paths[1]?.uri, "s3://b//a/b");
});
