/**
 * The conditions of a store request (`ifNoneMatch`, `ifMatch`) as a script
 * without type checking passes them: `put(k, b, { ifNoneMatch: true })`, a
 * create-only write meant, overwrote the object in `FsStore` and
 * `MemoryStore` (only `"*"` was looked at), and was a `StoreError` about
 * `value.trim` from `S3Store`; `ifMatch: 5` was a bare `TypeError` in each.
 * A misspelt option of a write (`{ ifNoneMach: "*" }`, `delete([k], { ifmatch })`)
 * made it unconditional, unsaid, and a misspelt read option (`get(k, { ifmatch })`,
 * `list(p, { startafter })`) read or listed as if it were not there. Each
 * store now refuses them alike, before anything is written, deleted or read.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { FsStore, MemoryStore, S3Store } from "../src/store/mod.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { InvalidInputError, PreconditionFailedError } from "../src/errors.ts";
import type { ObjectStore } from "../src/store/types.ts";

// deno-lint-ignore no-explicit-any
const bad = (v: unknown): any => v;
const utf8 = new TextEncoder();

async function text(store: ObjectStore, key: string): Promise<string> {
  return await new Response((await store.get(key)).body).text();
}

Deno.test("store requests refuse conditions of the wrong kind, keeping the object", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-store-conditions-" });
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const stores: Array<[string, ObjectStore]> = [
    ["FsStore", new FsStore(dir)],
    ["MemoryStore", new MemoryStore()],
    [
      "S3Store",
      new S3Store({
        bucket: "b",
        endpoint: s3.url,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      }),
    ],
  ];
  try {
    for (const [name, store] of stores) {
      const { etag } = await store.put("k", utf8.encode("one"));
      for (const ifNoneMatch of [true, "yes", "", 1]) {
        await assertRejects(
          () => store.put("k", utf8.encode("two"), bad({ ifNoneMatch })),
          InvalidInputError,
          'ifNoneMatch must be "*"',
        );
        await assertRejects(
          () => store.copy("k", "k", bad({ ifNoneMatch })),
          InvalidInputError,
          'ifNoneMatch must be "*"',
        );
      }
      for (const ifMatch of [5, true, null]) {
        await assertRejects(
          () => store.put("k", utf8.encode("two"), bad({ ifMatch })),
          InvalidInputError,
          "ifMatch must be an ETag string",
        );
        await assertRejects(() => store.get("k", bad({ ifMatch })), InvalidInputError, "ifMatch");
        await assertRejects(
          () => store.delete(["k"], bad({ ifMatch })),
          InvalidInputError,
          "ifMatch",
        );
      }
      await assertRejects(
        () => store.put("k", utf8.encode("two"), bad({ ifNoneMach: "*" })),
        InvalidInputError,
        'unknown option "ifNoneMach"; did you mean "ifNoneMatch"?',
      );
      await assertRejects(
        () => store.delete(["k"], bad({ ifmatch: "0".repeat(32) })),
        InvalidInputError,
        'unknown option "ifmatch"; did you mean "ifMatch"?',
      );
      await assertRejects(
        () => store.copy("k", "k2", bad({ ifNonMatch: "*" })),
        InvalidInputError,
        'unknown option "ifNonMatch"',
      );
      await assertRejects(
        () => store.get("k", bad({ ifNoneMatch: 5 })),
        InvalidInputError,
        "ifNoneMatch must be an ETag string, got 5",
      );
      // The read side alike: a misspelt condition read whichever version
      // was there, a misspelt startAfter listed from the first key.
      await assertRejects(
        () => store.get("k", bad({ ifmatch: etag })),
        InvalidInputError,
        'unknown option "ifmatch"; did you mean "ifMatch"?',
      );
      await assertRejects(
        () => store.head("k", bad({ sginal: undefined })),
        InvalidInputError,
        'unknown option "sginal"; did you mean "signal"?',
      );
      await assertRejects(
        async () => {
          for await (const _ of store.list("", bad({ startafter: "k" }))) {
            // never reached: the options are checked first
          }
        },
        InvalidInputError,
        'unknown option "startafter"; did you mean "startAfter"?',
      );
      assertEquals(await text(store, "k"), "one", name);
      // The conditions as typed still work.
      await assertRejects(
        () => store.put("k", utf8.encode("two"), { ifNoneMatch: "*" }),
        PreconditionFailedError,
      );
      await store.put("k", utf8.encode("three"), { ifMatch: etag });
      assertEquals(await text(store, "k"), "three", name);
    }
  } finally {
    for (const [, store] of stores) await store.close?.();
    await Deno.remove(dir, { recursive: true });
  }
});
