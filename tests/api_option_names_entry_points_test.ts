/**
 * Every public options bag of the entry points in deno.json "exports" refuses
 * a key it does not take (a typo, or an option of another call) with
 * `InvalidInputError` naming it, as AssetCache and openStore do: before, a
 * misspelt `versoin` published 1.0.0 and `dryrun` made gc delete.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { checkLock, fillLock } from "../src/versioned/lock_ops.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { listEntries, readListEntries, readListFile } from "../src/prefill/list_file.ts";
import { Mirror, mirror } from "../src/mirror/mirror.ts";
import { watchMirror } from "../src/mirror/watch.ts";
import { Repository } from "../src/repo/repository.ts";
import { createHandler } from "../src/server/handler.ts";
import { serveCache } from "../src/server/serve.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";
import { S3Store } from "../src/store/s3.ts";
import { FsStore } from "../src/store/fs.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { InvalidInputError } from "../src/errors.ts";

// deno-lint-ignore no-explicit-any
const bad = (o: Record<string, unknown>): any => o;

async function refused(fn: () => unknown, what: string, key: string, meant?: string) {
  let e: unknown;
  try {
    await fn();
  } catch (caught) {
    e = caught;
  }
  if (!(e instanceof InvalidInputError)) throw new Error(`${what}: expected a refusal, got ${e}`);
  assertStringIncludes(e.message, what);
  assertStringIncludes(e.message, `unknown option "${key}"`);
  if (meant !== undefined) assertStringIncludes(e.message, `did you mean "${meant}"`);
}

Deno.test("VersionedCache methods refuse an unknown option before doing anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-opt-" });
  try {
    const manifest = join(dir, "m.json");
    await Deno.writeTextFile(manifest, "{}");
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    await using cache = new AssetCache({ cacheDir: join(dir, "c"), configPath: false, env: {} });
    const vc = new VersionedCache({ manifest, bucket: join(dir, "bucket"), cache });
    const file = join(dir, "a.csv");
    await refused(
      () => vc.add("/a", file, bad({ versoin: "2.0.0" })),
      "add()",
      "versoin",
      "version",
    );
    await refused(
      () => vc.update("/a", file, { minor: true }, bad({ forse: true })),
      "update()",
      "forse",
    );
    await refused(() => vc.path("/a", undefined, bad({ signl: 1 })), "path()", "signl", "signal");
    await refused(() => vc.locate("/a", undefined, bad({ x: 1 })), "locate()", "x");
    await refused(() => vc.versions("/a", bad({ x: 1 })), "versions()", "x");
    await refused(() => vc.lsRemote(bad({ x: 1 })), "lsRemote()", "x");
    await refused(() => vc.sync(join(dir, "out"), bad({ dest: 1 })), "sync()", "dest");
    await refused(() => vc.syncSettled(join(dir, "out"), bad({ x: 1 })), "syncSettled()", "x");
    await refused(() => vc.verify(bad({ onprogress: 1 })), "verify()", "onprogress", "onProgress");
    await refused(() => fillLock(vc, bad({ concurency: 1 })), "fillLock()", "concurency");
    await refused(() => checkLock(vc, bad({ x: 1 })), "checkLock()", "x");
    // Nothing was published, nothing synced.
    assertStringIncludes(await Deno.readTextFile(manifest), "{}");
    await assertRejects(() => Deno.stat(join(dir, "out")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefill and its list readers refuse an unknown option", async () => {
  await using cache = new AssetCache({
    cacheDir: "/tmp/vc-never-made",
    configPath: false,
    env: {},
  });
  await refused(() => prefill(bad({ cache, uris: [], concurency: 2 })), "prefill()", "concurency");
  for (
    const [name, fn] of [["readListFile()", readListFile], ["readListEntries()", readListEntries], [
      "listEntries()",
      listEntries,
    ]] as const
  ) {
    await refused(
      () => fn("/tmp/vc-never-made/list", bad({ maxbytes: 1 })),
      name,
      "maxbytes",
      "maxBytes",
    );
  }
});

Deno.test("mirror, Mirror.open and watchMirror refuse an unknown option", async () => {
  const store = new MemoryStore();
  const base = { sources: ["/tmp/vc-never-made"], target: store };
  await refused(() => mirror(bad({ ...base, dryrun: true })), "Mirror", "dryrun", "dryRun");
  await refused(() => Mirror.open(bad({ ...base, delet: true })), "Mirror", "delet", "delete");
  await refused(
    () => watchMirror(bad({ ...base, debounce: 5 })),
    "watchMirror",
    "debounce",
    "debounceMs",
  );
});

Deno.test("mirror: missing sources or target, or a lone string for a list, are refused by name", async () => {
  const store = new MemoryStore();
  const cases: [Record<string, unknown>, string][] = [
    [{}, "sources must be an array, got undefined"],
    [
      { sources: "/tmp/vc-never-made", target: store },
      'sources must be an array (["/tmp/vc-never-made"])',
    ],
    [{ sources: ["/tmp/vc-never-made"] }, "target is missing"],
    [
      { sources: ["/tmp/vc-never-made"], target: store, exclude: "*.tmp" },
      'exclude must be an array (["*.tmp"])',
    ],
  ];
  for (const [options, message] of cases) {
    const e = await assertRejects(() => mirror(options as never), InvalidInputError);
    assertStringIncludes(e.message, message);
  }
});

Deno.test("Repository static and instance methods refuse an unknown option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-opt-repo-" });
  try {
    const uri = join(dir, "repo");
    await refused(
      () => Repository.init(uri, bad({ catalg: "sqlite" })),
      "init()",
      "catalg",
      "catalog",
    );
    await refused(() => Repository.open(uri, bad({ hots: "x" })), "open()", "hots", "host");
    await refused(
      () => Repository.restore(uri, "/tmp/none", bad({ forse: true })),
      "restore()",
      "forse",
      "force",
    );
    await using repo = await Repository.init(uri);
    await refused(
      () => repo.add("/a", new Uint8Array([1]), bad({ tag: ["x"] })),
      "add()",
      "tag",
      "tags",
    );
    await refused(() => repo.list(bad({ limt: 1 })), "list()", "limt", "limit");
    await refused(() => repo.find(bad({ tags: ["x"] })), "find()", "tags");
    await refused(() => repo.claim(bad({ ttl: 1 })), "claim()", "ttl", "ttlMs");
    await refused(() => repo.gc(bad({ dryrun: true })), "gc()", "dryrun", "dryRun");
    await refused(() => repo.check(bad({ x: 1 })), "check()", "x");
    await refused(() => repo.download(1, bad({ x: 1 })), "download()", "x");
    await refused(() => repo.backup(undefined, bad({ x: 1 })), "backup()", "x");
    // A promise-returning method rejects, never throws synchronously.
    const listed = repo.list(bad({ limt: 1 }));
    await assertRejects(() => listed, InvalidInputError);
    if ((await repo.list()).length !== 0) throw new Error("add with a bad option added");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serveCache, createHandler, startFakeS3 and the store constructors refuse an unknown option", async () => {
  const store = new MemoryStore();
  const auth = { identify: () => Promise.resolve(undefined) } as never;
  await refused(() => serveCache(bad({ store, auth, prot: 0 })), "serveCache", "prot", "port");
  await refused(() => createHandler(bad({ store, auth, port: 0 })), "createHandler", "port");
  await refused(() => startFakeS3(bad({ bucket: ["b"] })), "startFakeS3", "bucket", "buckets");
  assertThrows(
    () => new S3Store(bad({ bucket: "b", endpiont: "http://x" })),
    InvalidInputError,
    'did you mean "endpoint"',
  );
  assertThrows(
    () => new FsStore("/tmp/vc-never-made", bad({ sidecar: "write" })),
    InvalidInputError,
    'did you mean "sidecars"',
  );
  assertThrows(
    () => new MemoryStore(bad({ chunksize: 1 })),
    InvalidInputError,
    'did you mean "chunkSize"',
  );
});

Deno.test("updateManifest, withManifestLock and addToken refuse an unknown option", async () => {
  const { updateManifest, withManifestLock } = await import("../src/versioned/manifest.ts");
  const { addToken } = await import("../src/server/auth.ts");
  // Refused before the file is touched: the directory is never made.
  const file = "/tmp/vc-never-made/m.json";
  await refused(
    () => updateManifest(file, () => {}, bad({ onwarning: () => {} })),
    "updateManifest()",
    "onwarning",
    "onWarning",
  );
  await refused(() => withManifestLock(file, () => {}, bad({ x: 1 })), "withManifestLock()", "x");
  await refused(
    () => addToken("/tmp/vc-never-made/t.json", "alice", bad({ onNoLocks: () => {} })),
    "addToken()",
    "onNoLocks",
  );
});

Deno.test("withLockFileWrite refuses an unknown option, and names onWarning for the onNoLocks it took before", async () => {
  const { withLockFileWrite } = await import("../src/versioned/lock_file.ts");
  const dir = await Deno.makeTempDir({ prefix: "vc-opt-lock-file-write-" });
  try {
    // Refused before the files are touched: the directory is never made.
    const manifest = join(dir, "never-made", "m.json");
    const lockFile = join(dir, "never-made", "m.lock");
    let ran = false;
    const fn = () => (ran = true);
    // Its notice callback was onNoLocks, told a string; a caller still passing
    // it had it ignored without a word, the notice going to stderr.
    const renamed = await assertRejects(
      () => withLockFileWrite(manifest, lockFile, fn, bad({ onNoLocks: () => {} })),
      InvalidInputError,
    );
    assertStringIncludes(renamed.message, 'unknown option "onNoLocks"');
    assertStringIncludes(renamed.message, 'this call\'s name for it is "onWarning"');
    await refused(
      () => withLockFileWrite(manifest, lockFile, fn, bad({ onwait: () => {} })),
      "withLockFileWrite()",
      "onwait",
      "onWait",
    );
    assertEquals(ran, false);
    assertEquals(await Array.fromAsync(Deno.readDir(dir)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
