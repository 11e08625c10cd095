/**
 * A `put` body that is not bytes, a `ReadableStream` or `{ path }` (a string
 * or an `ArrayBuffer` from a script run without type checking) is the same
 * `InvalidInputError` naming the object in every store, before anything is
 * written. The stores differed: `FsStore` and `S3Store` threw a bare
 * `TypeError`, `MemoryStore` a `NotFoundError` ("undefined does not exist"),
 * which a caller's `instanceof NotFoundError` took for a missing file.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore, PutBody } from "../src/store/types.ts";
import { listKeys, startFakeS3 } from "../src/testing/mod.ts";
import { serviceS3Store } from "./server_helpers.ts";

const BAD_BODIES: Array<[string, unknown]> = [
  ["a string", "hello"],
  ["a number", 5],
  ["an ArrayBuffer", new ArrayBuffer(3)],
  ["a Blob", new Blob(["x"])],
  ["undefined", undefined],
  ["null", null],
  ["{ path: 5 }", { path: 5 }],
];

Deno.test("store put: a body of the wrong kind is an InvalidInputError naming the object, in every store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-put-body-" });
  try {
    await using s3 = await startFakeS3({ buckets: ["cache"] });
    await using s3Store = serviceS3Store(s3.url);
    await using fsStore = new FsStore(dir);
    const stores: Array<[string, ObjectStore]> = [
      ["MemoryStore", new MemoryStore()],
      ["FsStore", fsStore],
      ["S3Store", s3Store],
    ];
    for (const [storeName, store] of stores) {
      for (const [bodyName, body] of BAD_BODIES) {
        const error = await assertRejects(
          () => store.put("dir/k", body as PutBody),
          InvalidInputError,
        ).catch((e) => {
          throw new Error(`${storeName}, ${bodyName}: ${e}`);
        });
        assertStringIncludes(error.message, "dir/k must be bytes (a Uint8Array)");
      }
      assertEquals(await listKeys(store, ""), [], storeName);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
