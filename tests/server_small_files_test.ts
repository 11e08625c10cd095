/**
 * Small files over S3 (with `http1`, as `vc serve` runs): read whole from the
 * store and sent from memory. GET, HEAD, Range and If-None-Match answer as
 * for large files, and each log line counts the body bytes actually sent.
 */
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

/** The service's store on the fake S3, over vc's HTTP/1.1 client as `vc serve` runs it. */
function cacheStore(fake: { url: string }): S3Store {
  return new S3Store({
    bucket: "cache",
    endpoint: fake.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    http1: true,
  });
}

Deno.test("serve over S3: small files come back whole, by range, by HEAD; bytes out are logged", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  const store = cacheStore(fake);
  await using t = await startService({ store });
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { small: 1 })).doc.cache_id as string;
  const data = new TextEncoder().encode("0123456789".repeat(100));
  assertEquals((await upload(t.url, alice, id, data)).status, 200);
  const url = `${t.url}/v1/cache/${id}`;
  const auth = { authorization: alice };
  for (let i = 0; i < 2; i++) { // the second GET reads the data alongside the metadata
    const whole = await fetch(url, { headers: auth });
    assertEquals(whole.headers.get("content-length"), "1000");
    assertEquals(new Uint8Array(await whole.arrayBuffer()), data);
  }
  const part = await fetch(url, { headers: { ...auth, range: "bytes=10-19" } });
  assertEquals([part.status, await part.text()], [206, "0123456789"]);
  const head = await fetch(url, { method: "HEAD", headers: auth });
  assertEquals([head.status, head.headers.get("content-length")], [200, "1000"]);
  await head.body?.cancel();
  const etag = head.headers.get("etag")!;
  const same = await fetch(url, { headers: { ...auth, "if-none-match": etag } });
  assertEquals(same.status, 304);
  await same.body?.cancel();
  // Log lines are written once each response went out: wait (bounded) for all five.
  const downloads = () =>
    t.logs.map((l) => JSON.parse(l)).filter((l) =>
      l.route === "/v1/cache/{id}" && l.method !== "POST"
    );
  for (let i = 0; i < 200 && downloads().length < 5; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(
    downloads().map((l) => [l.method, l.status, l.bytes_out]),
    [["GET", 200, 1000], ["GET", 200, 1000], ["GET", 206, 10], ["HEAD", 200, 0], ["GET", 304, 0]],
  );
});

Deno.test("serve over S3: the quota counts small files (usage read whole from the store)", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  const store = cacheStore(fake);
  await using t = await startService({ store, maxBytesPerIdentity: 1500 });
  const alice = t.tokens.alice;
  const a = (await newCacheId(t.url, alice, { q: 1 })).doc.cache_id as string;
  const b = (await newCacheId(t.url, alice, { q: 2 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, a, new Uint8Array(1000))).status, 200);
  assertEquals((await upload(t.url, alice, b, new Uint8Array(1000))).status, 413);
  // Replacing a's file counts the old size out.
  assertEquals((await upload(t.url, alice, a, new Uint8Array(1400))).status, 200);
  const res = await fetch(`${t.url}/v1/cache/${a}`, {
    method: "DELETE",
    headers: { authorization: alice },
  });
  assertEquals(res.status, 200);
  await res.body?.cancel();
  assertEquals((await upload(t.url, alice, b, new Uint8Array(1000))).status, 200);
});
