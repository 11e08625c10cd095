// A failed DeleteObjects batch is named as the batch, not as its first key.
import assert from "node:assert/strict";
import { startFakeS3 } from "../src/testing/mod.ts";
import { testS3Store } from "./versioned_helpers.ts";

Deno.test("S3Store.delete: a failed batch's error names the batch, not its first key as the failure", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await s3.putObject("assets", "a", "1");
  await s3.putObject("assets", "b", "2");
  await using store = testS3Store(s3, "assets", { maxAttempts: 1 });
  s3.faults = { errorRate: 1, match: (t) => t.op === "DeleteObjects" };
  const error = await store.delete(["a", "b"]).then(() => undefined, (e: Error) => e);
  assert(error instanceof Error, "the delete should fail");
  assert.match(error.message, /^DeleteObjects of 2 keys starting at s3:\/\/assets\/a /);
});

Deno.test("S3Store.delete: a key XML cannot hold goes alone, so the batch of the others is not refused with it", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  const keys = ["a", "ctl\u0001x", "cr\rx", "b"];
  for (const key of keys) await s3.putObject("assets", key, "1");
  await using store = testS3Store(s3, "assets", { maxAttempts: 1 });
  s3.resetStats();
  await store.delete(keys);
  for (const key of keys) assert.equal(await store.head(key), undefined, JSON.stringify(key));
  assert.equal(s3.stats.DeleteObjects, 1, JSON.stringify(s3.stats));
  assert.equal(s3.stats.DeleteObject, 2, JSON.stringify(s3.stats));
});
