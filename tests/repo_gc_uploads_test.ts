/**
 * `vc repo gc` and pending multipart uploads where the store refuses to
 * list them (S3 grants `s3:ListBucketMultipartUploads` apart): the rest of
 * the collection goes on, and the report says what was not checked. (The
 * aborting itself is in the repository suite, on the fake S3 and on moto.)
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectStore, PendingUpload } from "../src/store/types.ts";

Deno.test("repo gc: uploads the store will not list are reported, the rest is collected", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_uploads_" });
  try {
    const aborted: PendingUpload[] = [];
    const refusing = async (uri: string): Promise<ObjectStore> => {
      const store = await openStore(uri);
      const wrapped: ObjectStore = {
        url: store.url,
        head: store.head.bind(store),
        get: store.get.bind(store),
        put: store.put.bind(store),
        list: store.list.bind(store),
        delete: store.delete.bind(store),
        copy: store.copy.bind(store),
        close: store.close.bind(store),
        // deno-lint-ignore require-yield
        async *pendingUploads(): AsyncIterable<PendingUpload> {
          throw new AccessDeniedError(`${uri}: ListMultipartUploads: Access Denied`);
        },
        abortUpload(upload: PendingUpload) {
          aborted.push(upload);
          return Promise.resolve();
        },
      };
      return wrapped;
    };
    await using repo = await Repository.init(`file://${dir}/repo`, { openStore: refusing });
    const a = await repo.add("/x", new Uint8Array([1]));
    const b = await repo.add("/x", new Uint8Array([2]));
    await repo.publish(a.id);
    await repo.publish(b.id);
    const report = await repo.gc({});
    assertEquals(report.expired, [a.id], "the rest of the collection went on");
    assertEquals(report.abortedUploads, []);
    assertEquals(aborted, []);
    assert(report.uploadsUnchecked !== undefined);
    assertStringIncludes(report.uploadsUnchecked, "Access Denied");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
