/**
 * A store that keeps answering 503 SlowDown: S3Store retries each request
 * (its `maxAttempts`, with backoff), and the download used to retry the
 * store's give-up as often again (3 × 5 = 15 GETs for one object, ~3 s), the
 * opposite of slowing down. The download now takes the store's verdict; its
 * own attempts stay for what the store cannot retry (a body cut short, a
 * stall), and for stores that do not retry.
 */
import { downloadToFile } from "../src/store/download.ts";
import { StoreError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

Deno.test("download over S3: a store that keeps failing gets the store's attempts, not the download's times the store's", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "k", new TextEncoder().encode("hello"));
  const store = testS3Store(s3, "b", { maxAttempts: 3 });
  const dir = await Deno.makeTempDir();
  try {
    s3.failNext(1000, "slowdown");
    const before = s3.stats.GetObject;
    const e = await assertRejects(() => downloadToFile(store, "k", `${dir}/k`), StoreError);
    assertEquals(e.status, 503);
    assertEquals(s3.stats.GetObject - before, 3, "the store's 3 attempts, once");
    // A fault the store's retries get past is still no failure.
    s3.clearFaults();
    s3.failNext(2, "slowdown");
    await downloadToFile(store, "k", `${dir}/k`);
    assertEquals(await Deno.readTextFile(`${dir}/k`), "hello");
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
