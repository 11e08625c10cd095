/**
 * `vc add` / `vc update` killed (`kill -9`) mid multipart upload leave it
 * open in the store, its parts billed until it is aborted; nothing else of
 * vc looks under a versioned bucket. The next publish of the same asset
 * aborts those of its versions started a day or more ago, naming each, and
 * leaves alone a younger one (another process racing for the version: the
 * create-only write decides between them) and other assets' uploads.
 *
 * The fake S3 dates uploads now; a day passing is the store's listing
 * dating the uploads the test calls old a day and a minute earlier.
 */
import { join } from "node:path";
import { InvalidInputError, PreconditionFailedError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import type { ObjectStore, PendingUpload } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { openUploads } from "./interrupt_helpers.ts";
import { randomBytes, tempDir, WrappingStore } from "./versioned_helpers.ts";

const DAY = 86_400_000;
const PART = 1024;

/** A store whose listing of open uploads dates those in `old` a day and a minute back. */
class AgedUploads extends WrappingStore {
  constructor(inner: ObjectStore, readonly old: Set<string>) {
    super(inner);
  }
  async *pendingUploads(prefix: string): AsyncIterable<PendingUpload> {
    for await (const u of this.inner.pendingUploads!(prefix)) {
      yield this.old.has(u.uploadId)
        ? { ...u, initiated: new Date(u.initiated.getTime() - DAY - 60_000) }
        : u;
    }
  }
  abortUpload(upload: PendingUpload): Promise<void> {
    return this.inner.abortUpload!(upload);
  }
}

/** Starts a multipart upload of `key` and sends one part, as a writer killed then would have; its ID. */
async function leaveUpload(url: string, key: string): Promise<string> {
  const created = await (await fetch(`${url}/b/${key}?uploads`, { method: "POST" })).text();
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  assert(id !== undefined, created);
  const part = await fetch(`${url}/b/${key}?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    body: "x".repeat(PART),
  });
  await part.body?.cancel();
  assert(part.ok, `UploadPart: ${part.status}`);
  return id;
}

async function setUp() {
  const s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  const dir = await tempDir("vc_abandoned_upload_");
  const old = new Set<string>();
  const store = () =>
    new S3Store({
      bucket: "b",
      endpoint: s3.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      multipartThreshold: PART,
      partSize: PART,
    });
  const open = (_root: string) => Promise.resolve(new AgedUploads(store(), old));
  const manifest = join(dir.path, "versioned_assets.json");
  const vc = new VersionedCache({ manifest, bucket: "s3://b", openStore: open, lock: false });
  return {
    s3,
    dir: dir.path,
    old,
    open,
    store,
    manifest,
    vc,
    async [Symbol.asyncDispose]() {
      await vc.close();
      await dir[Symbol.asyncDispose]();
      await s3[Symbol.asyncDispose]();
    },
  };
}

Deno.test("add and update abort the uploads of the path's versions left open a day ago, naming them", async () => {
  await using t = await setUp();
  const url = t.s3.url;
  // A killed `vc add` of this version a day ago, one of another version of
  // the path, another asset's under the same key prefix, another path's.
  t.old.add(await leaveUpload(url, "t.1.0.0.csv"));
  t.old.add(await leaveUpload(url, "t.3.0.0.csv"));
  t.old.add(await leaveUpload(url, "t.old.1.0.0.csv"));
  t.old.add(await leaveUpload(url, "u.1.0.0.csv"));
  // Started just now: maybe a live writer racing for the same version.
  const young = await leaveUpload(url, "t.1.0.0.csv");
  const file = join(t.dir, "t.csv");
  const content = randomBytes(3 * PART + 5); // uploaded in parts
  await Deno.writeFile(file, content);
  const warnings: Array<{ key: string; message: string }> = [];
  assertEquals(await t.vc.add("/t.csv", file, { onWarning: (w) => warnings.push(w) }), "1.0.0");
  assertEquals(warnings.map((w) => w.key), ["t.1.0.0.csv", "t.3.0.0.csv"]);
  assertStringIncludes(warnings[0]!.message, "aborted the multipart upload of s3://b/t.1.0.0.csv");
  assertStringIncludes(warnings[0]!.message, "left open by a publish of /t.csv stopped midway");
  assertEquals((await openUploads(t.s3, "b")).sort(), [
    "t.1.0.0.csv",
    "t.old.1.0.0.csv",
    "u.1.0.0.csv",
  ]);
  await using store = t.store();
  const left = await Array.fromAsync(store.pendingUploads("t.1.0.0"));
  assertEquals(left.map((u) => u.uploadId), [young], "the young upload is kept");
  assertEquals(JSON.parse(await Deno.readTextFile(t.manifest)), { "/t.csv": "1.0.0" });
  assertEquals(new Uint8Array(await (await fetch(`${url}/b/t.1.0.0.csv`)).arrayBuffer()), content);

  // A killed `vc update` to 1.0.1 a day ago: the next update aborts it.
  t.old.add(await leaveUpload(url, "t.1.0.1.csv"));
  content[0] = content[0]! ^ 0xff;
  await Deno.writeFile(file, content);
  warnings.length = 0;
  const r = await t.vc.update("/t.csv", file, { patch: true }, {
    onWarning: (w) => warnings.push(w),
  });
  assertEquals(r.to, "1.0.1");
  assertEquals(warnings.map((w) => w.key), ["t.1.0.1.csv"]);
  assertEquals((await openUploads(t.s3, "b")).sort(), [
    "t.1.0.0.csv",
    "t.old.1.0.0.csv",
    "u.1.0.0.csv",
  ]);
});

Deno.test("two adds of the same new version at once: one wins, the other is told and its upload aborted", async () => {
  await using t = await setUp();
  const a = join(t.dir, "a.bin");
  const b = join(t.dir, "b.bin");
  const contentA = randomBytes(4 * PART + 1);
  const contentB = randomBytes(4 * PART + 1);
  await Deno.writeFile(a, contentA);
  await Deno.writeFile(b, contentB);
  const manifestB = join(t.dir, "other", "versioned_assets.json");
  await Deno.mkdir(join(t.dir, "other"));
  await using vcB = new VersionedCache({
    manifest: manifestB,
    bucket: "s3://b",
    openStore: t.open,
    lock: false,
  });
  const results = await Promise.allSettled([
    t.vc.add("/t.bin", a, { onWarning: () => {} }),
    vcB.add("/t.bin", b, { onWarning: () => {} }),
  ]);
  const won = results.findIndex((r) => r.status === "fulfilled");
  assert(won >= 0, `one add wins: ${results.map((r) => r.status)}`);
  const lost = results[1 - won]!;
  assert(lost.status === "rejected", "the other add fails");
  // Told by the create-only write (PreconditionFailedError), or, when its
  // listing came after the winner's upload, as for any path with versions.
  const reason = lost.reason as Error;
  assert(
    reason instanceof PreconditionFailedError || reason instanceof InvalidInputError,
    String(reason),
  );
  assertMatch(reason.message, /published by someone else meanwhile|already has versions/);
  const stored = new Uint8Array(await (await fetch(`${t.s3.url}/b/t.1.0.0.bin`)).arrayBuffer());
  assertEquals(stored, won === 0 ? contentA : contentB);
  assertEquals(await openUploads(t.s3, "b"), []);
  const pinned = won === 0 ? t.manifest : manifestB;
  assertEquals(JSON.parse(await Deno.readTextFile(pinned)), { "/t.bin": "1.0.0" });
  const unpinned = won === 0 ? manifestB : t.manifest;
  assertEquals(await Deno.stat(unpinned).catch(() => undefined), undefined);
});
