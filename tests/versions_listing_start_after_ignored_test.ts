// The versions listing steps past a folder beside a file by listing again
// with a `startAfter` (see `keysBesideFolders` in slash_keys.ts). A
// ListObjectsV2 server that ignores `start-after` (versitygw, moto and
// s3mock did) answers each such listing from the prefix's first key, and
// S3Store drops the keys up to `startAfter` as they come: each step read
// every key before the folder again, so F folders cost ~F²/2 times their
// keys in LISTs where one listing read them once. Once a listing is seen
// starting from before its `startAfter`, it is read on to its end.
import { listVersionKeys } from "../src/versioned/slash_keys.ts";
import { assertEquals } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";

Deno.test("versions: a server ignoring start-after is listed once, not again per folder", async () => {
  const pageSize = 5;
  let lists = 0;
  const started = startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method !== "GET" || !url.searchParams.has("list-type")) return await forward();
    lists++;
    url.searchParams.delete("start-after");
    url.searchParams.set("max-keys", String(pageSize));
    const proxied = await started;
    return await fetch(new URL(url.pathname + url.search, proxied.fake.url), {
      headers: req.headers,
    });
  }, { store: { maxAttempts: 1 } });
  await using proxied = await started;
  const keys = ["d/x.1.0.0.csv"];
  for (let f = 0; f < 8; f++) {
    for (let i = 0; i < 10; i++) keys.push(`d/x.f${f}/${i}`);
  }
  keys.push("d/x.2.0.0.csv");
  for (const k of keys) await proxied.fake.putObject("b", k, "1");
  const found = await listVersionKeys(proxied.store, "/d/x.csv");
  assertEquals([...found.keys()].sort(), ["1.0.0", "2.0.0"]);
  // One listing of every key (82 keys, 5 a page: 17 pages), plus the two
  // name prefixes' own first pages: never a listing again per folder.
  const once = Math.ceil(keys.length / pageSize);
  assertEquals(lists <= 2 * once + 2, true, `${lists} LISTs for ${once} pages of keys`);
});
