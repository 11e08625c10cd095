/**
 * A renamed file's copy in the store asks for its source once. The mirror
 * HEADs the old key (is it still the version it recorded?) and then
 * `ObjectStore.copy` HEADed it again for its size: two HEADs per renamed
 * file (42 for 20 renames). The mirror now passes what its HEAD found
 * (`copy(from, to, { source: { etag, size } })`), and the copy is of that
 * version only: S3 gets `x-amz-copy-source-if-match`, a directory or memory
 * store checks the ETag itself, and a source replaced in between fails the
 * copy (`PreconditionFailedError`) rather than copy what is there now.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { InvalidInputError, NotFoundError, PreconditionFailedError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { FsStore } from "../src/store/fs.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { CopyOptions, ObjectStore, PutResult } from "../src/store/types.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { WrappingStore } from "./versioned_helpers.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { fakeBackend, settle, tempDir, upOptions } from "./mirror_helpers.ts";

/** Over the mirror's smallest copy (1 MiB): renamed files this size are copied, not uploaded. */
const SIZE = 1024 * 1024 + 1;
const RENAMES = 20;

async function objectMd5(store: ObjectStore, key: string): Promise<string | undefined> {
  if (await store.head(key) === undefined) return undefined;
  const { body } = await store.get(key);
  return md5Hex(new Uint8Array(await new Response(body).arrayBuffer()));
}

Deno.test("mirror local → S3: 20 renamed files cost one HEAD each beside their copy", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  const sums: string[] = [];
  for (let i = 0; i < RENAMES; i++) {
    const data = randomBytes(SIZE, 100 + i);
    sums.push(md5Hex(data));
    await Deno.writeFile(join(src, `f${i}.bin`), data);
  }
  await settle();
  const opts = upOptions(w.dir, b.store, { delete: true });
  assertEquals((await mirror(opts)).transferred, RENAMES);
  for (let i = 0; i < RENAMES; i++) {
    await Deno.rename(join(src, `f${i}.bin`), join(src, `g${i}.bin`));
  }
  await settle();
  b.fake!.resetStats();
  const r = await mirror(opts);
  assertEquals([r.transferred, r.copied, r.deleted, r.failed.length], [
    RENAMES,
    RENAMES,
    RENAMES,
    0,
  ]);
  const s = b.fake!.stats;
  assertEquals([s.CopyObject, s.PutObject, s.UploadPart, s.GetObject], [RENAMES, 0, 0, 0]);
  assert(s.HeadObject <= RENAMES, `${s.HeadObject} HEADs for ${RENAMES} renamed files`);
  assertEquals(r.heads, s.HeadObject, "the report counts the HEADs sent");
  for (let i = 0; i < RENAMES; i++) {
    assertEquals(await objectMd5(b.store, `g${i}.bin`), sums[i]);
  }
});

Deno.test("mirror local → S3: an old key replaced between the mirror's HEAD and the copy is not copied stale", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  const data = randomBytes(SIZE, 7);
  await Deno.writeFile(join(src, "old.bin"), data);
  await settle();
  const other = randomBytes(SIZE, 8);
  let copies = 0;
  const failures: unknown[] = [];
  // Another tool writes the old key after the mirror looked at it.
  const store = new class extends WrappingStore {
    override async copy(from: string, to: string, options?: CopyOptions): Promise<PutResult> {
      copies++;
      await b.fake!.putObject("mirror", from, other);
      return await this.inner.copy(from, to, options).catch((e) => {
        failures.push(e);
        throw e;
      });
    }
  }(b.store);
  const opts = upOptions(w.dir, store);
  await mirror(opts);
  await Deno.rename(join(src, "old.bin"), join(src, "new.bin"));
  await settle();
  b.fake!.resetStats();
  const r = await mirror(opts);
  assertEquals([copies, r.copied ?? 0, r.transferred, r.failed.length], [1, 0, 1, 0]);
  // The copy was refused by the store (its source no longer the version
  // found), and the file uploaded instead.
  assertEquals(failures.length, 1);
  assert(failures[0] instanceof PreconditionFailedError, String(failures[0]));
  assertEquals([b.fake!.stats.CopyObject, b.fake!.stats.PutObject], [1, 1]);
  assertEquals(await objectMd5(b.store, "new.bin"), md5Hex(data));
});

for (
  const [name, make] of [
    ["S3Store", async () => {
      const b = await fakeBackend();
      return {
        store: b.store,
        heads: () => b.fake!.stats.HeadObject,
        close: () => b[Symbol.asyncDispose](),
      };
    }],
    ["FsStore", async () => {
      const dir = await Deno.makeTempDir({ prefix: "vc_copy_known_source_" });
      return {
        store: new FsStore(join(dir, "bucket")) as ObjectStore,
        heads: () => 0,
        close: () => Deno.remove(dir, { recursive: true }),
      };
    }],
    ["MemoryStore", () =>
      Promise.resolve({
        store: new MemoryStore() as ObjectStore,
        heads: () => 0,
        close: () => Promise.resolve(),
      })],
  ] as const
) {
  Deno.test(`${name}.copy with a known source: no HEAD, and a source replaced since fails it`, async () => {
    const { store, heads, close } = await make();
    try {
      const put = await store.put("a", new TextEncoder().encode("one"), { metadata: { run: "1" } });
      const source = { etag: put.etag, size: 3 };
      const before = heads();
      const made = await store.copy("a", "b", { source });
      assertEquals(heads(), before, "no HEAD of the source");
      assertEquals(made.etag, put.etag);
      assertEquals((await store.head("b"))?.metadata?.run, "1");
      // Replaced since it was found: refused, the target left as it was.
      await store.put("a", new TextEncoder().encode("two"));
      const e = await assertRejects(
        () => store.copy("a", "c", { source }),
        PreconditionFailedError,
      );
      assertStringIncludes(e.message, "changed");
      assertEquals(await store.head("c"), undefined);
      // A source that is gone: not found, as ever.
      await store.delete(["a"]);
      await assertRejects(() => store.copy("a", "d", { source }), NotFoundError);
      assertEquals(await store.head("d"), undefined);
      // A misspelt or malformed source is refused before any request.
      await assertRejects(
        () => store.copy("b", "e", { source: { etag: 5, size: 3 } } as never),
        InvalidInputError,
      );
    } finally {
      await store.close();
      await close();
    }
  });
}

Deno.test("S3Store.copy in parts with a known source: a source replaced since is not copied", async () => {
  await using fake = await startFakeS3({ buckets: ["b"], minPartSize: 1024 });
  await using store = new S3Store({
    bucket: "b",
    endpoint: fake.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartCopyThreshold: 4096,
    copyPartSize: 4096,
  });
  const put = await store.put("a", randomBytes(10_000, 1));
  const source = { etag: put.etag, size: 10_000 };
  assertEquals((await store.copy("a", "b", { source })).etag.endsWith("-3"), true);
  await store.put("a", randomBytes(10_000, 2));
  fake.resetStats();
  await assertRejects(() => store.copy("a", "c", { source }), PreconditionFailedError, "changed");
  assertEquals([fake.stats.CreateMultipartUpload, fake.stats.UploadPartCopy], [0, 0]);
  assertEquals(await store.head("c"), undefined);
});
