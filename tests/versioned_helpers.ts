/**
 * Shared fixtures for the versioned cache and prefill tests: temp
 * directories, and ObjectStore wrappers that inject faults or count calls.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { AssetCacheOptions } from "../src/cache/cache_options.ts";
import { openStore, type StoreOptions } from "../src/store/open.ts";
import type {
  CopyOptions,
  GetOptions,
  GetResult,
  ListOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
} from "../src/store/types.ts";
import { S3Store } from "../src/store/s3.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { SYNC_RECORD_NAME } from "../src/versioned/sync_records.ts";
import { openLockFile } from "../src/file_lock.ts";
import { treeContents } from "./tree_contents.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";

/**
 * Store options for S3 at a test server (`url`): path style, test
 * credentials, 2 attempts; `extra` overrides any of them.
 */
export function testS3Options(
  s3: { url: string },
  extra: Partial<NonNullable<StoreOptions["s3"]>> = {},
): StoreOptions {
  return {
    s3: {
      endpoint: s3.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 2,
      ...extra,
    },
  };
}

/** An `S3Store` of `bucket` at a test server, with {@linkcode testS3Options}' settings and `extra`. */
export function testS3Store(
  s3: { url: string },
  bucket: string,
  extra: Partial<NonNullable<StoreOptions["s3"]>> = {},
): S3Store {
  return new S3Store({ bucket, ...testS3Options(s3, extra).s3 });
}

/** A running {@linkcode cacheOverOneObject}. */
export interface OneObjectCache extends AsyncDisposable {
  fake: FakeS3;
  /** An asset cache in a temp dir over `fake`, no settings read, warnings dropped. */
  cache: AssetCache;
}

/** A fake S3 whose `bucket` holds `key` (`content`), and an asset cache over it; disposing closes and removes both. */
export async function cacheOverOneObject(
  bucket: string,
  key: string,
  content: string,
): Promise<OneObjectCache> {
  const fake = await startFakeS3({ buckets: [bucket] });
  const dir = await Deno.makeTempDir({ prefix: "vc_one_object_" });
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    warn: () => {},
    store: testS3Options(fake),
  });
  const close = async () => {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
    await fake.stop();
  };
  try {
    await testS3Store(fake, bucket).put(key, new TextEncoder().encode(content));
  } catch (error) {
    await close();
    throw error;
  }
  return { fake, cache, [Symbol.asyncDispose]: close };
}

/** A plain HTTP PUT of `key` exactly as given (`//` and all), like another tool. */
export async function rawPut(
  s3: { url: string },
  bucket: string,
  key: string,
  body: string,
): Promise<void> {
  const res = await fetch(`${s3.url}/${bucket}/${key}`, { method: "PUT", body });
  await res.body?.cancel();
  if (res.status !== 200) throw new Error(`raw PUT of ${key}: status ${res.status}`);
}

/** A temp directory removed on dispose. */
export async function tempDir(prefix = "vc_versioned_test_"): Promise<
  AsyncDisposable & { path: string }
> {
  const path = await Deno.makeTempDir({ prefix });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Runs `fn` with a fresh temp directory (its path), removed afterwards. */
export async function withTempDir(
  fn: (dir: string) => Promise<void>,
  prefix = "vc-test-",
): Promise<void> {
  await using dir = await tempDir(prefix);
  await fn(dir.path);
}

/** Writes `text` to `dir/name` and returns the path. */
export async function writeFile(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
  return path;
}

/**
 * A VersionedCache of `dir/m.json` over the local bucket `dir/bucket` holding
 * `keys` (each object's content its key and a newline), with a cache in
 * `dir/cache` that reads no settings.
 */
export async function versionedOverKeys(dir: string, keys: string[]): Promise<VersionedCache> {
  for (const key of keys) await writeFile(join(dir, "bucket"), key, `${key}\n`);
  return new VersionedCache({
    manifest: join(dir, "m.json"),
    bucket: join(dir, "bucket"),
    cache: new AssetCache({ cacheDir: join(dir, "cache"), configPath: false, env: {} }),
  });
}

/** An ObjectStore that forwards everything; override methods to inject behaviour. */
export class WrappingStore implements ObjectStore {
  constructor(readonly inner: ObjectStore) {}
  get url(): string {
    return this.inner.url;
  }
  head(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | undefined> {
    return this.inner.head(key, options);
  }
  get(key: string, options?: GetOptions): Promise<GetResult> {
    return this.inner.get(key, options);
  }
  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    return this.inner.put(key, body, options);
  }
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix, options);
  }
  delete(keys: readonly string[]): Promise<void> {
    return this.inner.delete(keys);
  }
  copy(from: string, to: string, options?: CopyOptions): Promise<PutResult> {
    return this.inner.copy(from, to, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A temp workspace: bucket dir, manifest path, an asset cache and a versioned cache. */
export interface Workspace extends AsyncDisposable {
  dir: string;
  bucket: string;
  manifest: string;
  cache: AssetCache;
  vc: VersionedCache;
}

/**
 * Creates a workspace. `wrap` wraps every store the caches open (uploads and
 * downloads); `bucket` overrides the bucket (e.g. an s3:// URI).
 */
export async function workspace(
  options: {
    wrap?: (store: ObjectStore) => ObjectStore;
    bucket?: string;
    open?: (rootUri: string) => Promise<ObjectStore>;
  } = {},
): Promise<Workspace> {
  const dir = await Deno.makeTempDir({ prefix: "vc_versioned_test_" });
  const bucket = options.bucket ?? join(dir, "bucket");
  const manifest = join(dir, "repo", "manifest.json");
  await Deno.mkdir(join(dir, "repo"), { recursive: true });
  const baseOpen = options.open ?? ((root: string) => openStore(root));
  const open = async (root: string) => {
    const store = await baseOpen(root);
    return options.wrap ? options.wrap(store) : store;
  };
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    openStore: open,
  });
  const vc = new VersionedCache({ manifest, bucket, cache, openStore: open });
  return {
    dir,
    bucket,
    manifest,
    cache,
    vc,
    async [Symbol.asyncDispose]() {
      await vc.close();
      await cache.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Uploads `data` at `key` in parts of `partSize` bytes with the AWS SDK, as another tool would. */
export async function uploadInParts(
  s3: { url: string },
  bucket: string,
  key: string,
  data: Uint8Array,
  partSize: number,
): Promise<void> {
  const sdk = await import("@aws-sdk/client-s3");
  const client = new sdk.S3Client({
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const { UploadId } = await client.send(
      new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
    );
    const parts = [];
    for (let n = 1, off = 0; off < data.length; n++, off += partSize) {
      const out = await client.send(
        new sdk.UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: n,
          Body: data.subarray(off, off + partSize),
        }),
      );
      parts.push({ PartNumber: n, ETag: out.ETag });
    }
    await client.send(
      new sdk.CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** `n` random bytes (`getRandomValues` fills at most 64 KiB at a time). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, off + 65536));
  return out;
}

/** A manifest in a directory, with an asset cache and a versioned cache over an S3 bucket. */
export interface PinnedOnS3 extends AsyncDisposable {
  manifest: string;
  cache: AssetCache;
  vc: VersionedCache;
}

/**
 * Writes `versioned_assets.json` pinning `pins` in `dir`, and opens an asset
 * cache (in `dir/cache`) and a versioned cache over `bucket` of the S3
 * server at `s3` (both closed on dispose; `dir` stays the caller's).
 */
export async function pinnedOnS3(
  s3: { url: string },
  bucket: string,
  dir: string,
  pins: Record<string, string>,
): Promise<PinnedOnS3> {
  const manifest = join(dir, "versioned_assets.json");
  await Deno.writeTextFile(manifest, JSON.stringify(pins) + "\n");
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  const vc = new VersionedCache({
    manifest,
    bucket: `s3://${bucket}`,
    cache,
    store: testS3Options(s3),
  });
  return {
    manifest,
    cache,
    vc,
    async [Symbol.asyncDispose]() {
      await vc.close();
      await cache.close();
    },
  };
}

/**
 * Every file `vc sync` put under `root` with its content ({@linkcode treeContents}
 * without the sync's own record and lock files).
 */
export async function syncedContents(root: string): Promise<Record<string, string>> {
  const tree = await treeContents(root);
  delete tree[SYNC_RECORD_NAME];
  delete tree[`${SYNC_RECORD_NAME}.lock`];
  return tree;
}

/** The cross-process lock of a manifest, held by this process as another would hold it. */
export interface HeldLock extends Disposable {
  /** Lets the lock go (disposing then does nothing). */
  release(): void;
}

/** Takes the lock of lock file `path` (throws if another holds it); dispose or `release()` lets it go. */
export function holdLock(path: string): HeldLock {
  const file = openLockFile(path);
  let held = true;
  const release = () => {
    if (held) file.close();
    held = false;
  };
  try {
    if (!file.tryLockSync(true)) throw new Error(`${path} is locked by another process`);
  } catch (error) {
    release();
    throw error;
  }
  return { release, [Symbol.dispose]: release };
}

/** A running {@linkcode answeringS3}: its URL; disposing stops it. */
export interface AnsweringS3 extends AsyncDisposable {
  url: string;
}

/**
 * An S3 endpoint on 127.0.0.1 that answers each request with `answer(req)`
 * (its body dropped unread): a store whose headers a test shapes one by one,
 * as a broken S3-compatible server or a proxy would send them.
 */
export function answeringS3(answer: (req: Request) => Response): AnsweringS3 {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      await req.body?.cancel();
      return answer(req);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/**
 * An asset cache in `cacheDir` over the S3 endpoint `url`: no settings read,
 * no environment, one attempt a request, warnings dropped; `extra` on top.
 */
export function cacheOverEndpoint(
  cacheDir: string,
  url: string,
  extra: AssetCacheOptions = {},
): AssetCache {
  return new AssetCache({
    cacheDir,
    configPath: false,
    env: {},
    store: testS3Options({ url }, { maxAttempts: 1 }),
    warn: () => {},
    ...extra,
  });
}
