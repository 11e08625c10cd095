/**
 * A part size under the server's smallest part (S3: 5 MiB for every part
 * but the last). S3 takes each part and refuses only the completion
 * (`EntityTooSmall`, "Your proposed upload is smaller than the minimum
 * allowed size"), after every byte was sent, in words that name neither the
 * option nor the size. vc used to pass that on as it was:
 *
 * - against AWS's own endpoints, which always refuse such parts, the option
 *   is refused when the store is made, before any request;
 * - against any other endpoint (whose smallest part vc cannot know), the
 *   refused completion names the option and its value, and the upload is
 *   aborted.
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { InvalidInputError, StoreError } from "../src/errors.ts";
import { S3Store, type S3StoreOptions } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";

const MiB = 1024 * 1024;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** The fake at S3's own smallest part (5 MiB, its default), and a store of it. */
async function withFake(
  options: Partial<S3StoreOptions>,
  fn: (store: S3Store, openUploads: () => Promise<number>, requests: () => number) => Promise<void>,
): Promise<void> {
  let count = 0;
  await using s3 = await startFakeS3({ buckets: ["b"], onRequest: () => count++ });
  await using store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    env: {},
    ...options,
  });
  const openUploads = async () => {
    const text = await (await fetch(`${s3.url}/b?uploads`)).text();
    return text.split("<Upload>").length - 1;
  };
  await fn(store, openUploads, () => count);
}

Deno.test("put: a completion refused for a part under the server's smallest names partSize", async () => {
  await withFake({ partSize: MiB, multipartThreshold: MiB }, async (store, openUploads) => {
    const body = new Uint8Array(3 * MiB + 5).map((_, i) => i & 0xff);
    const e = await assertRejects(() => store.put("big.bin", body), StoreError);
    assertStringIncludes(e.message, "s3://b/big.bin");
    assertStringIncludes(e.message, "EntityTooSmall");
    assertStringIncludes(e.message, "partSize");
    assertStringIncludes(e.message, "1 MiB");
    assertStringIncludes(e.message, "5 MiB");
    assertEquals(await openUploads(), 0);
  });
});

Deno.test("copy: a completion refused for a part under the server's smallest names copyPartSize", async () => {
  await withFake(
    { multipartCopyThreshold: MiB, copyPartSize: MiB },
    async (store, openUploads) => {
      await store.put("src.bin", new Uint8Array(3 * MiB).map((_, i) => i & 0xff));
      const e = await assertRejects(() => store.copy("src.bin", "dst.bin"), StoreError);
      assertStringIncludes(e.message, "s3://b/dst.bin");
      assertStringIncludes(e.message, "copyPartSize");
      assertStringIncludes(e.message, "1 MiB");
      assertEquals(await openUploads(), 0);
      assertEquals(await store.head("dst.bin"), undefined);
    },
  );
});

Deno.test("S3Store: a part size AWS always refuses is refused when the store is made", async () => {
  for (const option of ["partSize", "copyPartSize"] as const) {
    const e = assertThrows(
      () =>
        new S3Store({
          bucket: "b",
          region: "us-east-1",
          credentials,
          env: {},
          [option]: 4 * MiB,
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, `${option}=4194304`);
    assertStringIncludes(e.message, "5 MiB");
  }
  // 5 MiB itself is S3's smallest part, and any size is left to another endpoint.
  await new S3Store({ bucket: "b", region: "us-east-1", credentials, env: {}, partSize: 5 * MiB })
    .close();
  await new S3Store({
    bucket: "b",
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    credentials,
    env: {},
    partSize: MiB,
  }).close();
});

Deno.test("put: a part size the server takes still uploads in parts", async () => {
  await withFake({ partSize: 5 * MiB, multipartThreshold: 5 * MiB }, async (store, _, requests) => {
    const body = new Uint8Array(5 * MiB + 1).map((_, i) => (i * 7) & 0xff);
    const { etag } = await store.put("ok.bin", body);
    assert(etag.endsWith("-2"), etag);
    assert(requests() >= 4);
  });
});
