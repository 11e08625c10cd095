/**
 * Shared setup for the mirror tests: a temp workspace, and the target
 * backends every behaviour is checked against (the in-process fake S3, an
 * FsStore, and a real S3-compatible endpoint when VC_TEST_S3_ENDPOINT is set).
 */
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { S3Store } from "../src/store/s3.ts";
import type { ObjectStore } from "../src/store/types.ts";
import type { MirrorOptions, MirrorReport } from "../src/mirror/types.ts";
import { Mirror, mirror } from "../src/mirror/mirror.ts";
import { watchMirror, type WatchOptions, type WatchReport } from "../src/mirror/watch.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import type { FakeS3 } from "../src/testing/mod.ts";

/** The S3 endpoint of the compatibility run (moto), if any. */
export const S3_ENDPOINT: string | undefined = env("VC_TEST_S3_ENDPOINT");

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const region = "us-east-1";

/** A backend under test. */
export interface Backend extends AsyncDisposable {
  store: ObjectStore;
  /** The fake server, when the backend is the fake (request statistics). */
  fake?: FakeS3;
}

/** Names and factories of the backends. */
export const BACKENDS: {
  name: string;
  ignore: boolean;
  make: (opts?: BackendOptions) => Promise<Backend>;
}[] = [
  { name: "fake S3", ignore: false, make: fakeBackend },
  { name: "FsStore", ignore: false, make: fsBackend },
  // The compatibility task (scripts/compat.sh) sets VC_TEST_S3_ENDPOINT to a moto server.
  {
    name: S3_ENDPOINT ? `S3 endpoint ${S3_ENDPOINT}` : "S3 endpoint (VC_TEST_S3_ENDPOINT unset)",
    ignore: S3_ENDPOINT === undefined,
    make: endpointBackend,
  },
];

/** Options for a backend. */
export interface BackendOptions {
  /** Multipart threshold for S3 stores (to exercise multipart ETags with small files). */
  multipartThreshold?: number;
}

/** A fresh in-process fake S3 with one bucket. */
export async function fakeBackend(opts: BackendOptions = {}): Promise<Backend> {
  const fake = await startFakeS3({ buckets: ["mirror"], minPartSize: 1024 });
  const store = new S3Store({
    bucket: "mirror",
    endpoint: fake.url,
    region,
    forcePathStyle: true,
    credentials,
    ...(opts.multipartThreshold
      ? { multipartThreshold: opts.multipartThreshold, partSize: 1024 }
      : {}),
  });
  return {
    store,
    fake,
    async [Symbol.asyncDispose]() {
      await store.close();
      await fake.stop();
    },
  };
}

/** A fresh FsStore in a temp directory. */
export async function fsBackend(): Promise<Backend> {
  const dir = await Deno.makeTempDir({ prefix: "vc_mirror_fs_" });
  const store = new FsStore(join(dir, "bucket"));
  return {
    store,
    async [Symbol.asyncDispose]() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A fresh bucket on VC_TEST_S3_ENDPOINT (deleted afterwards). */
export async function endpointBackend(opts: BackendOptions = {}): Promise<Backend> {
  const endpoint = S3_ENDPOINT!;
  const bucket = `vc-mirror-${crypto.randomUUID().slice(0, 12)}`;
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  const store = new S3Store({
    bucket,
    endpoint,
    region,
    forcePathStyle: true,
    credentials,
    ...(opts.multipartThreshold
      ? { multipartThreshold: opts.multipartThreshold, partSize: 5 * 1024 * 1024 }
      : {}),
  });
  return {
    store,
    async [Symbol.asyncDispose]() {
      try {
        const keys: string[] = [];
        for await (const o of store.list("")) keys.push(o.key);
        await store.delete(keys);
        const c = new S3Client({ endpoint, region, forcePathStyle: true, credentials });
        try {
          await c.send(new DeleteBucketCommand({ Bucket: bucket }));
        } finally {
          c.destroy();
        }
      } finally {
        await store.close();
      }
    },
  };
}

/** A temp directory, removed on dispose. */
export async function tempDir(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_" }));
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * One `mirror` of `dir`/src up to `s3://b` through `store`, its state in
 * `dir`/state.db: the local → store run a test repeats over one tree.
 */
export function mirrorUp(dir: string, store: ObjectStore): Promise<MirrorReport> {
  return mirror({
    sources: [join(dir, "src")],
    target: "s3://b",
    statePath: join(dir, "state.db"),
    openStore: () => Promise.resolve(store),
  });
}

/**
 * The options of a `mirror` of `dir`/src up to `store`, its state in
 * `dir`/s.db, with no racy window (`extra` added): the local → store run
 * most mirror tests make, once or again over one tree.
 */
export function upOptions(
  dir: string,
  store: ObjectStore,
  extra: Partial<MirrorOptions> = {},
): MirrorOptions {
  return {
    sources: [join(dir, "src")],
    target: store,
    statePath: join(dir, "s.db"),
    racyWindowMs: RACY_MS,
    ...extra,
  };
}

/**
 * An open `--delete` {@linkcode Mirror} of `dir`/src (`a.txt`, `sub/b.txt`)
 * up to an FsStore at `root` (`dir`/bucket unless told), its state in
 * `dir`/s.db, after its first run uploaded both files: the set-up of tests
 * that take something away from under an open mirror. The caller disposes
 * of `mirror`.
 */
export async function openDeleteMirror(
  dir: string,
  root: string = join(dir, "bucket"),
): Promise<{ mirror: Mirror; store: FsStore; src: string }> {
  const src = join(dir, "src");
  await writeTree(src, { "a.txt": "a", "sub/b.txt": "b" });
  const store = new FsStore(root);
  const opened = await Mirror.open({
    sources: [src],
    target: store,
    delete: true,
    statePath: join(dir, "s.db"),
  });
  try {
    assertEquals((await opened.run()).transferred, 2);
  } catch (e) {
    await opened[Symbol.asyncDispose]();
    throw e;
  }
  return { mirror: opened, store, src };
}

/**
 * A `src` directory in `dir` holding `big.bin` (`size` random bytes from
 * `seed`), and the `vc mirror` arguments that mirror it into the file bucket
 * `dir/bucket` with `--delete`, its state in `dir/s.db`.
 */
export async function bigFileMirror(
  dir: string,
  size: number,
  seed: number,
): Promise<{ src: string; args: string[] }> {
  const src = join(dir, "src");
  await Deno.mkdir(src);
  await Deno.writeFile(join(src, "big.bin"), randomBytes(size, seed));
  return {
    src,
    args: ["mirror", src, `file://${dir}/bucket`, "--delete", "--state", join(dir, "s.db")],
  };
}

/** Writes files (relative path → content), creating directories. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const path = join(root, rel);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
}

/** Every key in the store with its content. */
export async function storeContents(
  store: ObjectStore,
  prefix = "",
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const o of store.list(prefix)) {
    // A live mirror may delete a listed key before its GET: then it is gone.
    const got = await store.get(o.key).catch((e) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    });
    if (got !== undefined) out[o.key] = await new Response(got.body).text();
  }
  return out;
}

export { treeContents } from "./tree_contents.ts";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Racy window used by the tests (ms): on top of it, a file whose ctime
 * (whole seconds in Deno) is within the last second when it is hashed is
 * hashed again next run.
 */
export const RACY_MS = 0;

/**
 * Waits until files written before the call are no longer "racy" (see
 * {@linkcode RACY_MS}), so their recorded hashes are trusted, as they are
 * for any file not edited in the last moments before a run.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1100 + RACY_MS));
}

/**
 * Options of a store → local mirror of `store`'s `p/` prefix into
 * `dir/out` (state in `dir/s.db`, no racy window); `extra` adds or
 * overrides options (`delete`, ...).
 */
export function prefixToLocal(
  store: ObjectStore,
  dir: string,
  extra: Partial<Omit<MirrorOptions, "target">> = {},
): MirrorOptions & { target: string } {
  return {
    sources: [store],
    sourcePrefix: "p",
    target: join(dir, "out"),
    statePath: join(dir, "s.db"),
    racyWindowMs: RACY_MS,
    ...extra,
  };
}

/** A watcher whose events the test sends. */
export function testWatcher(): {
  watchFs: () => AsyncIterable<Deno.FsEvent> & { close(): void };
  send(event: Deno.FsEvent): void;
} {
  const queue: Deno.FsEvent[] = [];
  let wake = () => {};
  let closed = false;
  const watcher = {
    close() {
      closed = true;
      wake();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<Deno.FsEvent> {
      while (!closed) {
        const event = queue.shift();
        if (event) yield event;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
  return {
    watchFs: () => watcher,
    send(event: Deno.FsEvent) {
      queue.push(event);
      wake();
    },
  };
}

/** A {@linkcode stuckTestWatchers}: its `watchFs`, and what it saw. */
export interface StuckTestWatchers {
  /** Options for {@linkcode watchWithTestEvents} that make the watcher. */
  watchFs: NonNullable<WatchOptions["watchFs"]>;
  /** Set to make every watcher say it is stuck at a FIFO from then on. */
  stuck: boolean;
  /** How many watchers were made. */
  readonly watchers: number;
  /** Calls that would block the process: a close or a new watcher while stuck. */
  readonly blocking: string[];
  /** Ends the watchers' iteration (call once the watch is stopped). */
  release(): void;
}

/**
 * Test watchers that say they are stuck at a FIFO by their own `stuck()`
 * once `stuck` is set (a real FIFO would leave a thread of Deno's blocked in
 * the test process), yield no event, and count what would block. With
 * `denoWatcher`, they pass for Deno's own (which the watch replaces on a
 * thread of its own).
 */
export function stuckTestWatchers({ denoWatcher = false } = {}): StuckTestWatchers {
  let release = () => {};
  const released = new Promise<void>((r) => release = r);
  let watchers = 0;
  const blocking: string[] = [];
  const state: StuckTestWatchers = {
    stuck: false,
    get watchers() {
      return watchers;
    },
    blocking,
    release: () => release(),
    watchFs: () => {
      if (state.stuck) blocking.push("a new watcher");
      watchers++;
      return {
        close() {
          if (state.stuck) blocking.push("close");
        },
        stuck: () => state.stuck,
        ...(denoWatcher ? { denoWatcher: true } : {}),
        // deno-lint-ignore require-yield -- a watcher stuck at a FIFO yields no event
        async *[Symbol.asyncIterator](): AsyncGenerator<Deno.FsEvent> {
          await released;
        },
      };
    },
  };
  return state;
}

/**
 * Polls `cond` until it holds, at most `tries` times `everyMs` apart (a
 * bounded wait), and throws naming `what` when it never does.
 */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  { tries = 400, everyMs = 20 }: { tries?: number; everyMs?: number } = {},
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A running {@linkcode watchWithTestEvents}: what it did so far, and its controls. */
export interface TestWatch extends AsyncDisposable {
  clock: ManualClock;
  events: ReturnType<typeof testWatcher>;
  watching: Promise<WatchReport>;
  batches: { kind: string; report: MirrorReport }[];
  errors: string[];
  /** How many times the watch went idle, and how many events it took in. */
  counts: { idle: number; seen: number };
}

/**
 * `watchMirror()` of `src` into `store` with `--delete`, driven by a manual
 * clock (set after the files already written, so none is taken for one being
 * written) and by events the test sends: a 1 s debounce, full passes only
 * when asked. Disposing it stops the watch and waits for its end.
 */
export function watchWithTestEvents(
  src: string,
  store: ObjectStore,
  dir: string,
  extra: Partial<WatchOptions> = {},
): TestWatch {
  const clock = new ManualClock(Date.now() + 10_000);
  const events = testWatcher();
  const stop = new AbortController();
  const batches: TestWatch["batches"] = [];
  const errors: string[] = [];
  const counts = { idle: 0, seen: 0 };
  const watching = watchMirror({
    sources: [src],
    target: store,
    statePath: join(dir, "s.db"),
    delete: true,
    clock,
    debounceMs: 1000,
    reconcileIntervalMs: 3_600_000,
    signal: stop.signal,
    watchFs: events.watchFs,
    onBatch: (report, kind) => batches.push({ kind, report }),
    onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
    onIdle: () => counts.idle++,
    onEvent: () => counts.seen++,
    ...extra,
  });
  return {
    clock,
    events,
    watching,
    batches,
    errors,
    counts,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await watching;
    },
  };
}

/**
 * Advances `watch`'s clock by `ms` and waits (bounded, see {@linkcode until})
 * until the watch has gone idle again after it.
 */
export async function advanceToIdle(
  watch: Pick<TestWatch, "clock" | "counts">,
  ms: number,
  what = "the watch to idle",
): Promise<void> {
  const before = watch.counts.idle;
  await watch.clock.advance(ms);
  await until(what, () => watch.counts.idle > before);
}

/**
 * {@linkcode advanceToIdle} by `ms` until `store` holds `key`, at most
 * `steps` times: a bounded wait for what the watch mirrors without an event.
 * The caller asserts the store's contents after.
 */
export async function advanceUntilStored(
  watch: Pick<TestWatch, "clock" | "counts">,
  store: ObjectStore,
  key: string,
  { ms, steps }: { ms: number; steps: number },
): Promise<void> {
  for (let i = 0; i < steps && (await storeContents(store))[key] === undefined; i++) {
    await advanceToIdle(watch, ms);
  }
}

/**
 * Two releases in `dir`, `v1` holding `a.txt` ("a") and `v2` holding `b.txt`
 * ("b"), and a link `current` naming `v1`, as deploys lay them out; returns
 * the link's path (switch it with `Deno.remove` and `Deno.symlink("v2", …)`).
 */
export async function linkedReleases(dir: string): Promise<string> {
  await writeTree(join(dir, "v1"), { "a.txt": "a" });
  await writeTree(join(dir, "v2"), { "b.txt": "b" });
  const current = join(dir, "current");
  await Deno.symlink("v1", current);
  return current;
}

/** A running {@linkcode watchedTree}: the watch, and the tree and store it mirrors. */
export interface WatchedTree extends TestWatch {
  /** The fake S3 store mirrored into. */
  store: ObjectStore;
  /** The temp workspace (`src` and the state are in it). */
  dir: string;
  /** The watched source directory, `dir/src`. */
  src: string;
}

/**
 * A fake S3 backend, a temp workspace whose `src` holds `files`, and a
 * {@linkcode watchWithTestEvents} of it (with `extra`), returned once its
 * first pass is done and it is idle. Disposing it stops the watch, then
 * removes the workspace and the backend.
 */
export async function watchedTree(
  files: Record<string, string>,
  extra: Partial<WatchOptions> = {},
): Promise<WatchedTree> {
  await using stack = new AsyncDisposableStack();
  const b = stack.use(await fakeBackend());
  const w = stack.use(await tempDir());
  const src = join(w.dir, "src");
  await writeTree(src, files);
  const watch = stack.use(watchWithTestEvents(src, b.store, w.dir, extra));
  await until("the first pass", () => watch.batches.length === 1 && watch.counts.idle > 0);
  const owned = stack.move();
  return {
    ...watch,
    store: b.store,
    dir: w.dir,
    src,
    [Symbol.asyncDispose]: () => owned.disposeAsync(),
  };
}
