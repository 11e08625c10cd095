/**
 * `mirror()` against the fake S3 server where request counts and faults
 * matter: a no-op run makes only LIST requests (objects, and uploads left open), multipart objects compare
 * through `vc-md5` without downloads, transient errors are retried, and a
 * failed listing deletes nothing.
 */
import { join } from "node:path";
import { VcError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import type { ListOptions, ObjectStore } from "../src/store/types.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import {
  fakeBackend,
  prefixToLocal,
  RACY_MS,
  settle,
  storeContents,
  tempDir,
  upOptions,
  writeTree,
} from "./mirror_helpers.ts";

const enc = new TextEncoder();

Deno.test("mirror (fake S3): a no-op run makes one LIST per 1000 objects and nothing else", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const files: Record<string, string> = {};
  for (let i = 0; i < 1500; i++) files[`d${i % 7}/f${i}.txt`] = `file ${i}`;
  await writeTree(src, files);
  await settle();
  const opts = upOptions(w.dir, b.store, { targetPrefix: "m" });
  const first = await mirror(opts);
  assertEquals(first.transferred, 1500);
  assertEquals(b.fake!.stats.PutObject, 1500);
  b.fake!.resetStats();
  const noop = await mirror(opts);
  assertEquals([noop.transferred, noop.unchanged, noop.hashed, noop.heads], [0, 1500, 0, 0]);
  const stats = b.fake!.stats;
  assertEquals(stats.ListObjectsV2, 2);
  // And the one listing of uploads left open under the target (none here).
  assertEquals(stats.ListMultipartUploads, 1);
  assertEquals(stats.total, 3, `only LIST requests: ${JSON.stringify(stats)}`);
});

Deno.test("mirror (fake S3): multipart uploads carry vc-md5 and compare without HEAD or GET", async () => {
  await using b = await fakeBackend({ multipartThreshold: 2048 });
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "big.bin": "x".repeat(5000), "small.txt": "s" });
  await settle();
  const opts = upOptions(w.dir, b.store);
  await mirror(opts);
  const big = b.fake!.headObject("mirror", "big.bin")!;
  assert(/-\d+$/.test(big.etag), `multipart ETag: ${big.etag}`);
  assert(/^[0-9a-f]{32}$/.test(big.metadata["vc-md5"]!), "vc-md5 recorded");
  b.fake!.resetStats();
  const noop = await mirror(opts);
  assertEquals([noop.transferred, noop.heads], [0, 0]);
  // One listing of objects, one of uploads left open.
  assertEquals(b.fake!.stats.total, 2);
  // A fresh state file: the multipart object is compared by one HEAD (vc-md5), not re-uploaded.
  b.fake!.resetStats();
  const fresh = await mirror({ ...opts, statePath: join(w.dir, "fresh.db") });
  assertEquals([fresh.transferred, fresh.unchanged, fresh.heads], [0, 2, 1]);
  assertEquals(b.fake!.stats.HeadObject, 1);
  assertEquals(b.fake!.stats.GetObject, 0);
  // A same-size edit of the multipart file is uploaded again.
  await Deno.writeTextFile(join(src, "big.bin"), "y".repeat(5000));
  const edit = await mirror(opts);
  assertEquals(edit.transferred, 1);
  assertEquals((await storeContents(b.store))["big.bin"], "y".repeat(5000));
});

Deno.test("mirror (fake S3): transient store errors are retried", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const files: Record<string, string> = {};
  for (let i = 0; i < 20; i++) files[`f${i}`] = `${i}`;
  await writeTree(src, files);
  b.fake!.failNext(5, "internal", (t) => t.op === "PutObject");
  b.fake!.failNext(1, "slowdown", (t) => t.op === "ListObjectsV2");
  const r = await mirror({ sources: [src], target: b.store, statePath: join(w.dir, "s.db") });
  assertEquals([r.transferred, r.failed.length], [20, 0]);
  assert(b.fake!.stats.faults >= 6, "faults were injected");
  assertEquals(Object.keys(await storeContents(b.store)).length, 20);
});

Deno.test("mirror (fake S3): a listing that fails for good deletes nothing", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  await b.store.put("stale.txt", enc.encode("s"));
  b.fake!.setFaults({ errorRate: 1, match: (t) => t.op === "ListObjectsV2" });
  await assertRejects(
    () => mirror({ sources: [src], target: b.store, delete: true, statePath: join(w.dir, "s.db") }),
    VcError,
    "nothing was deleted",
  );
  b.fake!.clearFaults();
  assert(Object.keys(await storeContents(b.store)).includes("stale.txt"), "stale.txt kept");
  assertEquals(b.fake!.stats.DeleteObjects + b.fake!.stats.DeleteObject, 0);
});

Deno.test("mirror: a listing aborted part-way deletes nothing (any ObjectStore)", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "z.txt": "z" });
  for (const k of ["b.txt", "c.txt", "d.txt"]) await b.store.put(k, enc.encode(k));
  // A user-supplied backend whose listing breaks off after two objects.
  const broken: ObjectStore = wrap(b.store, {
    async *list(prefix: string) {
      let n = 0;
      for await (const o of b.store.list(prefix)) {
        if (n++ === 2) throw new Error("connection reset while listing");
        yield o;
      }
    },
  });
  const error = await assertRejects(
    () => mirror({ sources: [src], target: broken, delete: true, statePath: join(w.dir, "s.db") }),
    VcError,
  );
  assertStringIncludes(error.message, "connection reset while listing");
  const keys = Object.keys(await storeContents(b.store));
  for (const k of ["b.txt", "c.txt", "d.txt"]) assert(keys.includes(k), `${k} kept`);
  assertEquals(b.fake!.stats.DeleteObjects, 0);
});

Deno.test("mirror: a listing that skipped entries (onWarning) deletes nothing locally", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const dest = join(w.dir, "dest");
  await writeTree(dest, { "local-only.txt": "l" });
  await b.store.put("a.txt", enc.encode("a"));
  // A backend that skips an unreadable entry and says so, as FsStore does.
  const skipping: ObjectStore = wrap(b.store, {
    async *list(
      prefix: string,
      options?: ListOptions & { onWarning?: (w: { key: string; message: string }) => void },
    ) {
      options?.onWarning?.({ key: "secret.txt", message: "secret.txt: permission denied" });
      yield* b.store.list(prefix);
    },
  });
  const r = await mirror({
    sources: [skipping],
    target: dest,
    delete: true,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals(r.transferred, 1);
  assertEquals(r.deleted, 0);
  assert(r.deletesSkipped !== undefined, "deletes skipped");
  assertEquals(await Deno.readTextFile(join(dest, "local-only.txt")), "l");
});

/** A user-supplied ObjectStore: `inner`'s methods, some replaced. */
function wrap(inner: ObjectStore, overrides: Partial<ObjectStore>): ObjectStore {
  return {
    url: inner.url,
    head: (key, options) => inner.head(key, options),
    get: (key, options) => inner.get(key, options),
    put: (key, body, options) => inner.put(key, body, options),
    list: (prefix, options) => inner.list(prefix, options),
    delete: (keys) => inner.delete(keys),
    copy: (from, to, options) => inner.copy(from, to, options),
    close: () => Promise.resolve(),
    ...overrides,
  };
}

Deno.test("mirror (fake S3): store → local reports an object with content whose key ends in / and skips empty folder markers", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  // Written by other tools: `aws s3api put-object --key datadir/ --body f`, and a console's folder.
  await b.store.put("p/datadir/", enc.encode("data"));
  await b.store.put("p/folder/", new Uint8Array());
  await b.store.put("p/ok.txt", enc.encode("ok"));
  await Deno.writeTextFile(join(w.dir, "keep.txt"), "keep");
  const opts = prefixToLocal(b.store, w.dir, { delete: true });
  const out = opts.target;
  const r = await mirror(opts);
  assertEquals(r.transferred, 1);
  assertEquals(r.failed.map((f) => f.key), ["datadir/"]);
  assertStringIncludes(r.failed[0]!.error, "names a directory");
  assertEquals([...Deno.readDirSync(out)].map((e) => e.name), ["ok.txt"]);
  // The other way it has no source file, as any object another tool put
  // under the prefix: --delete removes it (as `aws s3 sync --delete` does),
  // and the empty folder marker stays.
  const back = await mirror({
    sources: [out],
    target: b.store,
    targetPrefix: "p",
    delete: true,
    statePath: join(w.dir, "s2.db"),
    racyWindowMs: RACY_MS,
  });
  assertEquals(back.deletedKeys, ["datadir/"]);
  assertEquals(await b.store.head("p/datadir/"), undefined);
  assertEquals((await b.store.head("p/folder/"))?.size, 0);
});

Deno.test("mirror (fake S3): uploads carry a content type from the file's extension, in one part or many", async () => {
  await using b = await fakeBackend({ multipartThreshold: 2048 });
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, {
    "index.html": "<p>hi</p>",
    "data.csv": "a,b",
    "big.json": `[${"1,".repeat(3000)}1]`,
    "blob": "x",
    // A static website's own files: served as octet-stream, browsers refuse them.
    "app.mjs": "export {}",
    "site.css": "p{}",
    "m.wasm": "\0asm",
  });
  await settle();
  const r = await mirror(upOptions(w.dir, b.store));
  assertEquals(r.transferred, 7);
  const types: Record<string, string | undefined> = {};
  for (
    const key of ["index.html", "data.csv", "big.json", "blob", "app.mjs", "site.css", "m.wasm"]
  ) {
    types[key] = (await b.store.head(key))?.contentType;
  }
  assertEquals(types, {
    "index.html": "text/html; charset=utf-8",
    "data.csv": "text/csv; charset=utf-8",
    "big.json": "application/json",
    "blob": "application/octet-stream",
    "app.mjs": "text/javascript; charset=utf-8",
    "site.css": "text/css; charset=utf-8",
    "m.wasm": "application/wasm",
  });
});

Deno.test("mirror (fake S3): a download takes the object's time, and the next run finds it unchanged", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  await b.store.put("p/a.txt", enc.encode("a"));
  const lastModified = (await b.store.head("p/a.txt"))!.lastModified;
  const opts = prefixToLocal(b.store, w.dir);
  const out = opts.target;
  assertEquals((await mirror(opts)).transferred, 1);
  // As aws s3 sync and rclone set it: they then take the file for current.
  assertEquals((await Deno.stat(join(out, "a.txt"))).mtime?.getTime(), lastModified.getTime());
  const again = await mirror(opts);
  assertEquals([again.transferred, again.unchanged], [0, 1]);
  // An edit in place is still found (and undone), whatever the old time was.
  await Deno.writeTextFile(join(out, "a.txt"), "b");
  assertEquals((await mirror(opts)).transferred, 1);
  assertEquals(await Deno.readTextFile(join(out, "a.txt")), "a");
});

Deno.test("mirror (fake S3): an object another tool uploaded in parts (no vc-md5) is compared by its multipart ETag, not transferred again", async () => {
  await using b = await fakeBackend({ multipartThreshold: 2048 });
  await using w = await tempDir();
  const content = "m".repeat(5000);
  // As aws s3 cp / boto3 upload: in parts, no content MD5 in the metadata.
  await b.store.put("up/big.txt", enc.encode(content));
  await b.store.put("down/big.txt", enc.encode(content));
  const head = await b.store.head("up/big.txt");
  assert(/-\d+$/.test(head!.etag) && head!.metadata?.["vc-md5"] === undefined, head!.etag);
  const src = join(w.dir, "src");
  await writeTree(src, { "big.txt": content });
  await settle();
  const up = await mirror({
    sources: [src],
    target: b.store,
    targetPrefix: "up",
    statePath: join(w.dir, "up.db"),
    racyWindowMs: RACY_MS,
  });
  assertEquals([up.transferred, up.unchanged], [0, 1]);
  const out = join(w.dir, "out");
  await writeTree(out, { "big.txt": content });
  await settle();
  const down = await mirror({
    sources: [b.store],
    sourcePrefix: "down",
    target: out,
    statePath: join(w.dir, "down.db"),
    racyWindowMs: RACY_MS,
  });
  assertEquals([down.transferred, down.unchanged], [0, 1]);
  // A different file of the same size is still found.
  await writeTree(src, { "big.txt": "n".repeat(5000) });
  await settle();
  const changed = await mirror({
    sources: [src],
    target: b.store,
    targetPrefix: "up",
    statePath: join(w.dir, "up.db"),
    racyWindowMs: RACY_MS,
  });
  assertEquals(changed.transferred, 1);
});
