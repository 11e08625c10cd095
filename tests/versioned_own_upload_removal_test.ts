/**
 * A publish that deletes its own upload again (the file changed while it
 * went up) leaves no delete marker in a bucket with S3 versioning: it
 * deletes exactly the version its upload made (DeleteObject with the
 * `x-amz-version-id` S3 answered), so the version was never "held" and a
 * re-run publishes the same version number, unwarned. On the fake S3, and
 * also on a third-party S3 implementation when `VC_TEST_S3_ENDPOINT` is set
 * (`deno task test:compat` points it at moto_server).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { SourceChangedError } from "../src/versioned/source_file.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { publishVersion } from "../src/versioned/publish.ts";
import { digestSource, snapshotSource } from "../src/versioned/source_file.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { hexToBase64 } from "../src/store/s3_request.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { join } from "../src/path.ts";
import { tempDir, testS3Options, testS3Store } from "./versioned_helpers.ts";

interface Target extends AsyncDisposable {
  s3: { url: string };
  bucket: string;
}

/** The fake S3 (versioned bucket `vb`), or a fresh versioned bucket at `endpoint`. */
async function target(endpoint: string | undefined, minPartSize?: number): Promise<Target> {
  if (endpoint === undefined) {
    const s3 = await startFakeS3({
      versionedBuckets: ["vb"],
      ...(minPartSize === undefined ? {} : { minPartSize }),
    });
    return { s3, bucket: "vb", [Symbol.asyncDispose]: () => s3[Symbol.asyncDispose]() };
  }
  const bucket = `vc-own-upload-${crypto.randomUUID().slice(0, 8)}`;
  const made = await fetch(`${endpoint}/${bucket}`, { method: "PUT" });
  await made.body?.cancel();
  if (made.status !== 200) throw new Error(`create bucket ${bucket}: status ${made.status}`);
  const on = await fetch(`${endpoint}/${bucket}?versioning`, {
    method: "PUT",
    body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
  });
  await on.body?.cancel();
  if (on.status !== 200) throw new Error(`enable versioning on ${bucket}: status ${on.status}`);
  return { s3: { url: endpoint }, bucket, [Symbol.asyncDispose]: () => Promise.resolve() };
}

/** A versioned cache over `t` in `dir` (manifest pinning nothing), with `extra` S3 settings. */
function versionedCache(
  t: Target,
  dir: string,
  extra: Parameters<typeof testS3Options>[1] = {},
): VersionedCache & AsyncDisposable {
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(t.s3),
  });
  const vc = new VersionedCache({
    manifest: join(dir, "versioned_assets.json"),
    bucket: `s3://${t.bucket}`,
    cache,
    store: testS3Options(t.s3, extra),
  });
  return Object.assign(vc, {
    async [Symbol.asyncDispose]() {
      await vc.close();
      await cache.close();
    },
  });
}

/**
 * Rewrites `file` (other bytes, other size) the first time the upload reports
 * bytes sent (not its 0 at the start, before any byte is read).
 */
function editOnce(
  file: string,
  content: string,
): { onProgress: (p: { bytes: number }) => void; edited: () => boolean } {
  let edited = false;
  return {
    onProgress: ({ bytes }) => {
      if (edited || bytes === 0) return;
      edited = true;
      Deno.writeTextFileSync(file, content);
    },
    edited: () => edited,
  };
}

/**
 * Adds `file` ("one\n") as `/t.csv` with `vc`, rewriting it at the upload's
 * first progress report, and asserts the add fails having deleted its upload.
 */
async function addEditedMidUpload(
  vc: VersionedCache,
  file: string,
): Promise<ReturnType<typeof editOnce>> {
  await Deno.writeTextFile(file, "one\n");
  const edit = editOnce(file, "one, edited\n");
  await assertRejects(
    () => vc.add("/t.csv", file, { onProgress: edit.onProgress }),
    SourceChangedError,
    "the upload was deleted",
  );
  return edit;
}

/** The delete markers S3 versioning keeps of `key`. */
async function deleteMarkers(t: Target, key: string): Promise<number> {
  await using store = testS3Store(t.s3, t.bucket);
  const entries = await store.keyVersions(key, { limit: 10 });
  return entries.filter((e) => e.deleteMarker).length;
}

/**
 * `store`'s own put, after which `file` changes (as an editor saving it
 * would); its answer carries `versionId` when one is given.
 */
function putThenEdit(store: ObjectStore, file: string, versionId?: string): ObjectStore["put"] {
  const put = store.put.bind(store);
  return async (...args) => {
    const result = await put(...args);
    await Deno.writeTextFile(file, "abcd");
    return versionId === undefined ? result : { ...result, versionId };
  };
}

/** Publishes `file` (snapshot and digest taken now) as `/t.csv` 1.0.0 to `store`. */
async function publishChanged(
  store: ObjectStore,
  file: string,
  bucket = "mem://",
): Promise<string> {
  const snapshot = await snapshotSource(file);
  const digest = await digestSource(file);
  return await publishVersion(store, {
    bucket,
    manifest: "m.json",
    path: "/t.csv",
    version: "1.0.0",
    snapshot,
    digest,
    retryHint: "retry",
  });
}

/** A temp dir (removed on dispose) holding `file`, `t.csv` of "abc". */
async function abcSource(): Promise<AsyncDisposable & { file: string }> {
  const dir = await tempDir("vc_own_upload_removal_");
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "abc");
  return { file, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

/** Asserts {@linkcode publishChanged} fails, saying the upload was deleted. */
async function assertUploadDeleted(store: ObjectStore, file: string, bucket?: string) {
  await assertRejects(
    () => publishChanged(store, file, bucket),
    SourceChangedError,
    "the upload was deleted",
  );
}

async function updateRerunSameVersion(endpoint: string | undefined): Promise<void> {
  await using t = await target(endpoint);
  await using dir = await tempDir("vc_own_upload_removal_");
  const file = join(dir.path, "t.csv");
  await using vc = versionedCache(t, dir.path);
  await Deno.writeTextFile(file, "one\n");
  assertEquals(await vc.add("/t.csv", file), "1.0.0");
  await Deno.writeTextFile(file, "two\n");
  const edit = editOnce(file, "two, edited while it went up\n");
  const error = await assertRejects(
    () => vc.update("/t.csv", file, { minor: true }, { onProgress: edit.onProgress }),
    SourceChangedError,
  );
  assert(edit.edited(), "the upload reported progress");
  assertStringIncludes(error.message, "the upload was deleted");
  assertEquals(await deleteMarkers(t, "t.1.1.0.csv"), 0);
  // The re-run publishes 1.1.0: no one could have cached the upload deleted.
  const warnings: string[] = [];
  const r = await vc.update("/t.csv", file, { minor: true }, {
    onWarning: (w) => warnings.push(w.message),
  });
  assertEquals(r.to, "1.1.0");
  assertEquals(warnings, []);
  await using check = testS3Store(t.s3, t.bucket);
  assertEquals(
    new TextDecoder().decode((await check.get("t.1.1.0.csv")).bytes),
    "two, edited while it went up\n",
  );
  assertEquals(await deleteMarkers(t, "t.1.1.0.csv"), 0);
}

async function addRerunSameVersion(endpoint: string | undefined): Promise<void> {
  await using t = await target(endpoint);
  await using dir = await tempDir("vc_own_upload_removal_");
  const file = join(dir.path, "t.csv");
  await using vc = versionedCache(t, dir.path);
  await addEditedMidUpload(vc, file);
  assertEquals(await deleteMarkers(t, "t.1.0.0.csv"), 0);
  // Not refused ("held other content once"): 1.0.0 was never published.
  assertEquals(await vc.add("/t.csv", file), "1.0.0");
}

/** Suspends versioning on `t`'s bucket (turned on once, it is never off again). */
async function suspend(t: Target): Promise<void> {
  const res = await fetch(`${t.s3.url}/${t.bucket}?versioning`, {
    method: "PUT",
    body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
  });
  await res.body?.cancel();
  if (res.status !== 200) {
    throw new Error(`suspend versioning on ${t.bucket}: status ${res.status}`);
  }
}

async function suspendedNoNullMarker(endpoint: string | undefined): Promise<void> {
  await using t = await target(endpoint);
  await suspend(t);
  await using dir = await tempDir("vc_own_upload_removal_");
  const file = join(dir.path, "t.csv");
  await using vc = versionedCache(t, dir.path);
  await addEditedMidUpload(vc, file);
  // The upload was the key's "null" version, deleted as that version: no
  // "null" delete marker is left in its place.
  await using check = testS3Store(t.s3, t.bucket);
  assertEquals(await check.keyVersions("t.1.0.0.csv", { limit: 10 }), []);
  assertEquals(await vc.add("/t.csv", file), "1.0.0");
}

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
const cases: Array<[string, (endpoint: string | undefined) => Promise<void>]> = [
  ["update's re-run publishes the same version, unwarned", updateRerunSameVersion],
  ["add's re-run publishes 1.0.0, not refused", addRerunSameVersion],
  ["a bucket with versioning suspended keeps no null delete marker", suspendedNoNullMarker],
];
for (const [what, fn] of cases) {
  Deno.test(`own upload deleted on fake S3: ${what}`, () => fn(undefined));
  Deno.test({
    name: `own upload deleted on ${endpoint ?? "VC_TEST_S3_ENDPOINT unset"}: ${what}`,
    ignore: endpoint === undefined,
    fn: () => fn(endpoint),
  });
}

Deno.test("own upload deleted on fake S3: a multipart upload's version goes too", async () => {
  await using t = await target(undefined, 1024);
  await using dir = await tempDir("vc_own_upload_removal_");
  const file = join(dir.path, "big.bin");
  await using vc = versionedCache(t, dir.path, {
    multipartThreshold: 4096,
    partSize: 4096,
    concurrency: 1,
  });
  await Deno.writeFile(file, new Uint8Array(20_000).fill(1));
  let edited = false;
  await assertRejects(
    () =>
      vc.add("/big.bin", file, {
        onProgress: ({ bytes }) => {
          if (edited || bytes === 0) return;
          edited = true;
          // Same size, new content: only the stat identity (mtime/ctime) shows it.
          Deno.writeFileSync(file, new Uint8Array(20_000).fill(2));
        },
      }),
    SourceChangedError,
    "the upload was deleted",
  );
  assertEquals(await deleteMarkers(t, "big.1.0.0.bin"), 0);
  assertEquals(await vc.add("/big.bin", file), "1.0.0");
});

Deno.test("S3Store.put answers the version id a versioned bucket gave the write", async () => {
  await using s3 = await startFakeS3({ buckets: ["plain"], versionedBuckets: ["vb"] });
  await using versioned = testS3Store(s3, "vb");
  const { versionId } = await versioned.put("k", new TextEncoder().encode("a"));
  assert(versionId !== undefined && versionId !== "null", `version id: ${versionId}`);
  await versioned.deleteVersion("k", versionId);
  // Gone for good: no delete marker, no noncurrent version.
  assertEquals(await versioned.keyVersions("k", { limit: 10 }), []);
  await using plain = testS3Store(s3, "plain");
  assertEquals((await plain.put("k", new TextEncoder().encode("a"))).versionId, undefined);
});

Deno.test("own upload deleted: a store refusing the version's delete falls back to a plain delete", async () => {
  await using source = await abcSource();
  const file = source.file;
  await using store = new MemoryStore();
  const asked: string[] = [];
  const refusing = Object.assign(store, {
    put: putThenEdit(store, file, "v1"),
    deleteVersion: (key: string, versionId: string) => {
      asked.push(`${key}@${versionId}`);
      return Promise.reject(new Error("403 AccessDenied (no s3:DeleteObjectVersion)"));
    },
  });
  await assertUploadDeleted(refusing, file);
  assertEquals(asked, ["t.1.0.0.csv@v1"]);
  assertEquals(await store.head("t.1.0.0.csv"), undefined);
});

Deno.test("own upload deleted: a create-only PUT a proxy altered leaves no delete marker in a versioned bucket", async () => {
  let alter = true;
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (alter && req.method === "PUT" && !url.searchParams.has("uploadId")) {
      // Cuts the body's end, with a Content-MD5 of what it forwards.
      const text = await req.text();
      const cut = text.slice(0, text.length - 3);
      return await forward(cut, {
        "content-md5": hexToBase64(md5Hex(new TextEncoder().encode(cut))),
      });
    }
    return await forward();
  }, { fake: { versionedBuckets: ["b"] }, store: { maxAttempts: 1 } });
  const body = new TextEncoder().encode("the body as sent");
  await assertRejects(
    () => proxied.store.put("k.1.0.0.txt", body, { ifNoneMatch: "*" }),
    IntegrityError,
    "the object this create-only PUT stored was deleted",
  );
  assertEquals(await proxied.direct.keyVersions("k.1.0.0.txt", { limit: 10 }), []);
  alter = false;
  const { versionId } = await proxied.store.put("k.1.0.0.txt", body, { ifNoneMatch: "*" });
  assert(versionId !== undefined);
});

Deno.test("own upload deleted on fake S3: a PUT whose answer was lost (no version id) leaves no delete marker", async () => {
  await using s3 = await startFakeS3({ versionedBuckets: ["vb"] });
  const t: Target = { s3, bucket: "vb", [Symbol.asyncDispose]: () => Promise.resolve() };
  await using dir = await tempDir("vc_own_upload_removal_");
  const file = join(dir.path, "t.csv");
  await using vc = versionedCache(t, dir.path);
  // The PUT lands, its answer (with x-amz-version-id) is lost; the retry's
  // 412 is read as our own write, whose version id no answer told.
  s3.failNext(1, "lostResponse", (r) => r.op === "PutObject");
  const edit = await addEditedMidUpload(vc, file);
  assert(edit.edited(), "the upload reported progress");
  assertEquals(await deleteMarkers(t, "t.1.0.0.csv"), 0);
  assertEquals(await vc.add("/t.csv", file), "1.0.0");
});

Deno.test("own upload deleted: a version delete that leaves the object (a store ignoring versionId) is followed by a plain delete", async () => {
  await using source = await abcSource();
  const file = source.file;
  await using store = new MemoryStore();
  const asked: string[] = [];
  const ignoring = Object.assign(store, {
    // No version id answered: a bucket without versioning lists its objects as "null".
    put: putThenEdit(store, file),
    keyVersions: async (key: string) => {
      const info = await store.head(key);
      return info === undefined ? [] : [{
        versionId: "null",
        isLatest: true,
        deleteMarker: false,
        etag: info.etag,
        size: info.size,
      }];
    },
    // An S3-compatible store that answers 204 to a versionId it does not know, deleting nothing.
    deleteVersion: (key: string, versionId: string) => {
      asked.push(`${key}@${versionId}`);
      return Promise.resolve();
    },
  });
  await assertUploadDeleted(ignoring, file);
  assertEquals(asked, ["t.1.0.0.csv@null"]);
  assertEquals(await store.head("t.1.0.0.csv"), undefined);
});

Deno.test("own upload deleted: another publisher's object written right after the version's delete is left alone", async () => {
  await using source = await abcSource();
  const file = source.file;
  await using store = new MemoryStore();
  const put = store.put.bind(store);
  const del = store.delete.bind(store);
  const racing = Object.assign(store, {
    put: putThenEdit(store, file, "v1"),
    // Ours is gone; another publisher's create-only PUT of the same version
    // lands before our check of the key.
    deleteVersion: async (key: string) => {
      await del([key]);
      await put(key, new TextEncoder().encode("theirs"), { ifNoneMatch: "*" });
    },
  });
  await assertUploadDeleted(racing, file);
  const left = await store.get("t.1.0.0.csv");
  assertEquals(await new Response(left.body).text(), "theirs");
});

Deno.test("own upload deleted: a failed check after the version's delete is no plain delete (no delete marker)", async () => {
  await using source = await abcSource();
  const file = source.file;
  await using store = new MemoryStore();
  const head = store.head.bind(store);
  const del = store.delete.bind(store);
  let versionDeleted = false;
  const plainDeletes: string[][] = [];
  const flaky = Object.assign(store, {
    put: putThenEdit(store, file, "v1"),
    deleteVersion: async (key: string) => {
      await del([key]);
      versionDeleted = true;
    },
    // The check of the key after the version's delete is not answered.
    head: (...args: Parameters<MemoryStore["head"]>) =>
      versionDeleted ? Promise.reject(new Error("connection reset")) : head(...args),
    // On S3 with versioning, a plain delete leaves a delete marker: the
    // version would read as held before, and the next publish skip it.
    delete: (keys: string[]) => {
      plainDeletes.push(keys);
      return del(keys);
    },
  });
  await assertRejects(
    () => publishChanged(flaky, file),
    SourceChangedError,
  );
  assert(versionDeleted);
  assertEquals(plainDeletes, []);
});

Deno.test("own upload deleted on fake S3: another writer's object current after its version's delete is not hidden by a delete marker", async () => {
  // A store whose create-only write is not atomic lets a racing writer put
  // the key just as this publish deletes its own version: that object is
  // the key's then, maybe pinned by the racer's manifest already. The
  // version delete's answer settles this publish's removal; a plain delete
  // after it would lay a delete marker over the racer's object.
  await using t = await target(undefined);
  await using source = await abcSource();
  const file = source.file;
  await using store = testS3Store(t.s3, t.bucket);
  await using racer = testS3Store(t.s3, t.bucket);
  const deleteVersion = store.deleteVersion.bind(store);
  let theirs: string | undefined;
  const racing = Object.assign(store, {
    put: putThenEdit(store, file),
    deleteVersion: async (key: string, versionId: string) => {
      theirs = (await racer.put(key, new TextEncoder().encode("the racer's"))).etag;
      await deleteVersion(key, versionId);
    },
  });
  await assertUploadDeleted(racing, file, `s3://${t.bucket}`);
  assertEquals((await racer.head("t.1.0.0.csv"))?.etag, theirs);
  assertEquals(await deleteMarkers(t, "t.1.0.0.csv"), 0);
});
