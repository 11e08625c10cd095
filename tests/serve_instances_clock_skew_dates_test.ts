/**
 * Instances behind one load balancer whose clocks differ: a file replaced
 * through an instance whose clock is behind the one that stored the file
 * before was dated earlier than that file. A client holding the old file's
 * `Last-Modified` then got 304 for a file it never saw (`curl -z`, `wget -N`
 * kept the old copy), and its `If-Unmodified-Since` let a DELETE remove the
 * new file.
 */
import { FsStore } from "../src/store/fs.ts";
import { TokenFileAuth } from "../src/server/auth.ts";
import { LAST_MODIFIED_SETTLE_MS } from "../src/server/last_modified.ts";
import { assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

/** Past the wait before a new upload's date is sent. */
const SETTLED = 1000 + LAST_MODIFIED_SETTLE_MS;
/** How far instance A's clock runs ahead of B's. */
const SKEW = 5 * 60_000;

Deno.test("serve instances: a file replaced through an instance whose clock is behind is dated after the one it replaced", async () => {
  await using a = await startService();
  await using b = await startService({
    store: new FsStore(`${a.dir}/store`),
    auth: new TokenFileAuth({ path: a.tokenFile }),
  });
  a.clock.advance(SKEW);
  const alice = a.tokens.alice;
  const id = (await newCacheId(a.url, alice, { skew: 1 })).doc.cache_id as string;
  assertEquals((await upload(a.url, alice, id, "first")).status, 200);
  for (const t of [a, b]) t.clock.advance(SETTLED);
  const got = await fetch(`${a.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await got.text(), "first");
  const date = got.headers.get("last-modified");
  assertEquals(date !== null, true);

  // The file is replaced through B, whose clock is SKEW behind A's.
  assertEquals((await upload(b.url, alice, id, "second")).status, 200);
  for (const t of [a, b]) t.clock.advance(SKEW + SETTLED);
  for (const t of [a, b]) {
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: alice, "if-modified-since": date! },
    });
    assertEquals([res.status, await res.text()], [200, "second"]);
    const lm = Date.parse(res.headers.get("last-modified")!);
    assertEquals(lm > Date.parse(date!), true, `${res.headers.get("last-modified")} vs ${date}`);
  }
  // A DELETE meant for the file the client saw leaves the one that replaced it.
  const del = await fetch(`${b.url}/v1/cache/${id}`, {
    method: "DELETE",
    headers: { authorization: alice, "if-unmodified-since": date! },
  });
  await del.body?.cancel();
  assertEquals(del.status, 412);
  const kept = await fetch(`${a.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await kept.text(), "second");
});
