/**
 * With a quota, an upload's size is added to its identity's usage once the
 * entry points at the new file, and a DELETE takes the size off once its
 * removal is claimed. When the store refused that usage write (S3 500s past
 * the retries), the request was answered 503 "try again later" although it
 * had done its work: the upload's file was stored and served (a client that
 * tried again sent it all a second time), the file it replaced stayed in the
 * store, and a DELETE's entry was gone (the DELETE sent again, to any
 * instance, got 404). Now the answer says what happened (200), the replaced
 * file goes, and the request's log line says the usage was not updated and
 * what makes it exact again.
 */
import { UsageCounter } from "../src/server/quota.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  keys,
  logRecord,
  newCacheId,
  serviceS3Store,
  startService,
  upload,
} from "./server_helpers.ts";

const isUsageWrite = (r: { op: string; key?: string }) =>
  r.op === "PutObject" && (r.key ?? "").startsWith("svc/usage/");

Deno.test("serve over S3: an upload or a DELETE done when its usage write fails is answered as done", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using t = await startService({
    store: serviceS3Store(fake.url, "svc"),
    maxBytesPerIdentity: 1e6,
  });
  const token = t.tokens.alice;
  const id = (await newCacheId(t.url, token, { n: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, token, id, "first file")).status, 200);

  fake.failNext(100, "internal", isUsageWrite);
  const put = await upload(t.url, token, id, "second file");
  fake.clearFaults();
  assertEquals(put.status, 200, JSON.stringify(put.doc));
  const got = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: token } });
  assertEquals(await got.text(), "second file");
  // The replaced file is not left behind.
  assertEquals((await keys(t.store, "data/")).length, 1);
  const putLine = await logRecord(
    t.logs,
    (r) => r.method === "POST" && r.status === 200 && "warning" in r,
  );
  assertStringIncludes(String(putLine.warning), "usage");
  assertStringIncludes(String(putLine.warning), "--recount-usage");

  fake.failNext(100, "internal", isUsageWrite);
  const del = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "DELETE",
    headers: { authorization: token },
  });
  fake.clearFaults();
  assertEquals(del.status, 200, await del.text());
  assertEquals((await keys(t.store, "data/")).length, 0);
  assertEquals((await keys(t.store, "meta/")).length, 0);
  const delLine = await logRecord(t.logs, (r) => r.method === "DELETE" && "warning" in r);
  assertStringIncludes(String(delLine.warning), "--recount-usage");
  // The usage is off by what was not written, as the warnings say.
  assertEquals(await new UsageCounter(t.store, Infinity).bytes("token-file:alice"), 10);
});
