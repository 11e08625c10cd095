/**
 * A local file renamed (or moved) under a local → store mirror was uploaded
 * again as a new object, gigabytes sent for bytes the store already held.
 * When the state file knows an object of the target with the file's size
 * and MD5 (the file's old key, uploaded by an earlier run) and that object
 * is still the version recorded, the new key is made by a copy in the store
 * (S3 CopyObject through `ObjectStore.copy`; a `file://` store copies on its
 * side), checked like an upload, before `--delete` removes the old key. An
 * object at the old key replaced since by another tool is not copied: the
 * file is uploaded.
 */
import { join } from "node:path";
import { Mirror, mirror } from "../src/mirror/mirror.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { md5Hex } from "../src/hash.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import {
  bigFileMirror,
  fakeBackend,
  fsBackend,
  RACY_MS,
  settle,
  tempDir,
} from "./mirror_helpers.ts";

const SIZE = 2 * 1024 * 1024;

/** The MD5 of the object at `key` of `store`, or undefined when there is none. */
async function objectMd5(store: ObjectStore, key: string): Promise<string | undefined> {
  if (await store.head(key) === undefined) return undefined;
  const { body } = await store.get(key);
  return md5Hex(new Uint8Array(await new Response(body).arrayBuffer()));
}

/** A source dir with `big.bin` (random) and `small.txt`, mirrored once to `store` (prefix `m`). */
async function mirroredOnce(dir: string, store: ObjectStore) {
  const src = join(dir, "src");
  await Deno.mkdir(src);
  const data = randomBytes(SIZE, 21);
  await Deno.writeFile(join(src, "big.bin"), data);
  await Deno.writeTextFile(join(src, "small.txt"), "small");
  await settle();
  const opts: MirrorOptions = {
    sources: [src],
    target: store,
    targetPrefix: "m",
    statePath: join(dir, "s.db"),
    racyWindowMs: RACY_MS,
    delete: true,
  };
  assertEquals((await mirror(opts)).transferred, 2);
  return { src, data, opts };
}

Deno.test("mirror local → S3: a renamed file is copied in the store, not uploaded again", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const { src, data, opts } = await mirroredOnce(w.dir, b.store);
  await Deno.mkdir(join(src, "moved"));
  await Deno.rename(join(src, "big.bin"), join(src, "moved", "big2.bin"));
  await settle(); // the rename's ctime: not racy, so the next run's check needs no hash
  b.fake!.resetStats();
  const r = await mirror(opts);
  assertEquals([r.transferred, r.deleted, r.failed.length], [1, 1, 0]);
  assertEquals(r.copied, 1);
  assertEquals(r.bytes, 0, "no bytes sent");
  const stats = b.fake!.stats;
  assertEquals([stats.CopyObject, stats.PutObject ?? 0, stats.UploadPart ?? 0], [1, 0, 0]);
  assertEquals(await objectMd5(b.store, "m/moved/big2.bin"), md5Hex(data));
  assertEquals(await objectMd5(b.store, "m/big.bin"), undefined);
  // What the copy recorded holds: the next run has nothing to do or hash.
  const again = await mirror(opts);
  assertEquals([again.transferred, again.hashed, again.unchanged], [0, 0, 2]);
});

Deno.test("mirror local → file:// store: a renamed file is copied in the store", async () => {
  await using b = await fsBackend();
  await using w = await tempDir();
  const { src, data, opts } = await mirroredOnce(w.dir, b.store);
  await Deno.rename(join(src, "big.bin"), join(src, "renamed.bin"));
  const r = await mirror(opts);
  assertEquals([r.transferred, r.copied, r.deleted, r.failed.length], [1, 1, 1, 0]);
  assertEquals(await objectMd5(b.store, "m/renamed.bin"), md5Hex(data));
  assertEquals(await objectMd5(b.store, "m/big.bin"), undefined);
});

Deno.test("mirror local → S3: an old key replaced since by another tool is not copied", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const { src, data, opts } = await mirroredOnce(w.dir, b.store);
  // Another tool writes other bytes of the same size at the old key.
  await b.store.put("m/big.bin", randomBytes(SIZE, 22));
  await Deno.rename(join(src, "big.bin"), join(src, "new.bin"));
  b.fake!.resetStats();
  const r = await mirror(opts);
  assertEquals([r.transferred, r.copied ?? 0, r.failed.length], [1, 0, 0]);
  assertEquals(b.fake!.stats.CopyObject ?? 0, 0);
  assertEquals(await objectMd5(b.store, "m/new.bin"), md5Hex(data));
});

Deno.test("mirror local → S3: a rename that changes the content type is uploaded", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const { src, data, opts } = await mirroredOnce(w.dir, b.store);
  await Deno.rename(join(src, "big.bin"), join(src, "big.csv"));
  b.fake!.resetStats();
  const r = await mirror(opts);
  assertEquals([r.transferred, r.copied ?? 0], [1, 0]);
  assertEquals((await b.store.head("m/big.csv"))?.contentType?.startsWith("text/csv"), true);
  assertEquals(await objectMd5(b.store, "m/big.csv"), md5Hex(data));
});

Deno.test("mirror --watch local → S3: a rename's batch copies the object, then deletes the old", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const { src, data, opts } = await mirroredOnce(w.dir, b.store);
  await using m = await Mirror.open(opts);
  await Deno.rename(join(src, "big.bin"), join(src, "big-renamed.bin"));
  b.fake!.resetStats();
  // The watch's batch of the rename's two events, the new name first.
  const r = await m.syncPaths([join(src, "big-renamed.bin"), join(src, "big.bin")]);
  assertEquals([r.transferred, r.copied, r.deleted, r.failed.length], [1, 1, 1, 0]);
  assertEquals([b.fake!.stats.CopyObject, b.fake!.stats.PutObject ?? 0], [1, 0]);
  assertEquals(await objectMd5(b.store, "m/big-renamed.bin"), md5Hex(data));
  assertEquals(await objectMd5(b.store, "m/big.bin"), undefined);
});

Deno.test("vc mirror: the summary says how many uploads were copies in the store", async () => {
  await using w = await tempDir();
  const { src, args } = await bigFileMirror(w.dir, SIZE, 23);
  const run = async () => {
    const io = memoryIo({ env: { HOME: w.dir }, cwd: w.dir });
    assertEquals(await runCli(args, io), 0, io.stderr());
    return io.stderr() + io.stdout();
  };
  await run();
  await Deno.rename(join(src, "big.bin"), join(src, "big2.bin"));
  assertStringIncludes(
    await run(),
    "mirror: 1 uploaded (0 B; 1 of them copied in the store, renamed files), 1 deleted",
  );
});
