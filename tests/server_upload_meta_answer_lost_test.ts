/**
 * An upload whose metadata switch lands in the store but whose answer is
 * lost (a reset, a 500 from a proxy after S3 stored it): the store's retry of
 * the conditional PUT then gets 412, since the metadata is already the one
 * this upload wrote. That is the upload's own write, not another writer's:
 * the service must answer 200 with the file kept, never take its own data for
 * the replaced file and delete it (it answered 200 and every later download
 * got 404 "has lost its file").
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { keys, newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";

for (const replacing of [false, true]) {
  Deno.test(
    `serve over S3: a metadata switch whose answer is lost keeps the file (${
      replacing ? "replacing a file" : "first file"
    })`,
    async () => {
      await using fake = await startFakeS3({ buckets: ["cache"] });
      await using t = await startService({ store: serviceS3Store(fake.url, "svc") });
      const token = t.tokens.alice;
      const id = (await newCacheId(t.url, token, { lost: "answer" })).doc.cache_id as string;
      if (replacing) assertEquals((await upload(t.url, token, id, "old file")).status, 200);
      fake.failNext(
        1,
        "lostResponse",
        (r) => r.op === "PutObject" && r.key === `svc/meta/${id}.json`,
      );
      const up = await upload(t.url, token, id, "the new file");
      assertEquals(up.status, 200, JSON.stringify(up.doc));
      const res = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: token } });
      assertEquals([res.status, await res.text()], [200, "the new file"]);
      // Only the new file's data is left: the replaced one was dropped.
      assertEquals((await keys(t.store, `data/${id}/`)).length, 1);
    },
  );
}
