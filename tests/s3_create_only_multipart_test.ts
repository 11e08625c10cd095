/**
 * A create-only multipart put (`ifNoneMatch: "*"`, how `vc add` / `vc update`
 * publish a large version) whose key another writer takes while it uploads:
 * S3 refuses the completion; a store that ignores the condition there (moto)
 * would replace the other writer's object, so vc looks just before
 * completing, fails the put and aborts its upload. The same holds for a
 * compare-and-swap multipart put (`ifMatch`) whose object another writer
 * replaces or deletes while it uploads.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { PreconditionFailedError } from "../src/errors.ts";
import type { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { testS3Store } from "./versioned_helpers.ts";

const enc = new TextEncoder();

/**
 * Runs `fn` with two writers on bucket `b` of a fresh fake S3: `store` puts
 * in 1 KiB parts from 2 KiB on, `other` is another client. `ignores`: the
 * fake ignores conditions on a multipart completion, as moto does.
 */
async function withWriters(
  ignores: boolean,
  fn: (store: S3Store, other: S3Store) => Promise<void>,
): Promise<void> {
  await using s3 = await startFakeS3({
    buckets: ["b"],
    minPartSize: 1024,
    completeIgnoresConditions: ignores,
  });
  const store = testS3Store(s3, "b", { multipartThreshold: 2048, partSize: 1024 });
  const other = testS3Store(s3, "b");
  try {
    await fn(store, other);
  } finally {
    await store.close();
    await other.close();
  }
}

for (const ignores of [false, true]) {
  Deno.test(`S3Store: a create-only multipart put whose key is taken meanwhile fails and leaves the other's object (completion conditions ${ignores ? "ignored, as moto" : "honoured, as S3"})`, async () => {
    await withWriters(ignores, async (store, other) => {
      let sent = 0;
      // Three parts; the other writer creates the key while the second is read.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent === 3) return controller.close();
          if (sent === 1) await other.put("v/a.1.0.0.csv", enc.encode("theirs"));
          sent++;
          controller.enqueue(new Uint8Array(1024).fill(0x61));
        },
      });
      await assertRejects(
        () => store.put("v/a.1.0.0.csv", body, { ifNoneMatch: "*" }),
        PreconditionFailedError,
        "already exists",
      );
      const { bytes } = await other.get("v/a.1.0.0.csv");
      assertEquals(new TextDecoder().decode(bytes), "theirs");
      const pending = [];
      for await (const u of store.pendingUploads!("v/")) pending.push(u);
      assertEquals(pending, [], "the failed upload is aborted");
    });
  });
}

for (const ignores of [false, true]) {
  for (const meanwhile of ["replaced", "deleted"] as const) {
    Deno.test(`S3Store: a compare-and-swap multipart put whose object is ${meanwhile} meanwhile fails (completion conditions ${ignores ? "ignored, as moto" : "honoured, as S3"})`, async () => {
      await withWriters(ignores, async (store, other) => {
        const { etag } = await other.put("state.bin", enc.encode("read"));
        let sent = 0;
        // Three parts; the other writer changes the key while the second is read.
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (sent === 3) return controller.close();
            if (sent === 1) {
              if (meanwhile === "replaced") await other.put("state.bin", enc.encode("theirs"));
              else await other.delete(["state.bin"]);
            }
            sent++;
            controller.enqueue(new Uint8Array(1024).fill(0x61));
          },
        });
        await assertRejects(
          () => store.put("state.bin", body, { ifMatch: etag }),
          PreconditionFailedError,
          "If-Match",
        );
        const now = await other.head("state.bin");
        if (meanwhile === "deleted") assertEquals(now, undefined);
        else assertEquals(new TextDecoder().decode((await other.get("state.bin")).bytes), "theirs");
        const pending = [];
        for await (const u of store.pendingUploads!("")) pending.push(u);
        assertEquals(pending, [], "the failed upload is aborted");
        // The ETag that is current still swaps.
        const current = meanwhile === "replaced" ? now!.etag : undefined;
        if (current !== undefined) {
          const big = new Uint8Array(3 * 1024).fill(0x62);
          await store.put("state.bin", big, { ifMatch: current });
          assertEquals((await other.head("state.bin"))?.size, big.length);
        }
      });
    });
  }
}
