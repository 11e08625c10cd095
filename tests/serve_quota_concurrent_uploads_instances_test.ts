/**
 * Many uploads of one identity finishing at once, on several instances of
 * the service over one S3 store, with a quota (`--max-bytes-per-identity`):
 * each switched upload adds its size to the identity's one usage object
 * with a compare-and-swap. Every upload raced every other for that object,
 * so one that lost 50 times in a row was answered 503 ("usage of alice kept
 * changing") although its file was stored, and its size never reached the
 * usage: 120 uploads over three instances left 11 answered 503 and the
 * usage 11,702 bytes below what was stored, for good (until a recount),
 * which let the identity past its quota. Uploads of one identity running
 * at once on an instance now share one usage write.
 */
import { UsageCounter } from "../src/server/quota.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";

const OWNER = "token-file:alice";
const INSTANCES = 3;
const UPLOADS = 120;

Deno.test("serve over S3: 120 uploads of one identity at once on 3 instances with a quota all count", async () => {
  await using fake = await startFakeS3({ buckets: ["cache"] });
  await using a = await startService({
    store: serviceS3Store(fake.url, "svc"),
    maxBytesPerIdentity: 1e9,
  });
  await using b = await startService({
    store: serviceS3Store(fake.url, "svc"),
    maxBytesPerIdentity: 1e9,
  });
  await using c = await startService({
    store: serviceS3Store(fake.url, "svc"),
    maxBytesPerIdentity: 1e9,
  });
  const services = [a, b, c];
  const on = (i: number) => services[i % INSTANCES]!;
  const ids: string[] = [];
  for (let i = 0; i < UPLOADS; i++) {
    // alice's token differs per instance (each its own token file), her identity does not.
    ids.push((await newCacheId(on(i).url, on(i).tokens.alice, { i })).doc.cache_id as string);
  }
  const answers = await Promise.all(
    ids.map((id, i) => upload(on(i).url, on(i).tokens.alice, id, "x".repeat(100 + i))),
  );
  const refused = answers.filter((r) => r.status !== 200).map((r) =>
    `${r.status} ${JSON.stringify(r.doc)}`
  );
  assertEquals(refused, []);
  const stored = ids.reduce((sum, _id, i) => sum + 100 + i, 0);
  assertEquals(await new UsageCounter(a.store, Infinity).bytes(OWNER), stored);
});
