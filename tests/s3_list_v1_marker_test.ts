/**
 * A server that answers only ListObjects v1 (older Ceph RGW, OpenStack Swift's
 * s3api, NAS gateways) ignores `list-type=2`, `start-after` and
 * `continuation-token`, pages by `marker`, and gives no token on a truncated
 * page. vc continued such a listing with `start-after` only, which that server
 * ignores: it answered the first page again and the listing failed ("the
 * server ignored start-after ... would never end") after its first page, so
 * `vc mirror`, `ls-remote` and gc could not list the bucket at all. The page
 * after a token-less one is asked with `marker` too (a v2 server never gets
 * here: it always gives a token on a truncated page).
 */
import type { ObjectInfo } from "../src/store/types.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { testS3Store } from "./versioned_helpers.ts";
import { listingPage } from "./s3_listing_page.ts";

const KEYS = ["p/a", "p/b c", "p/d+e", "p/f", "p/g%h", "p/\u00fc"];

/** A v1-only listing of KEYS, `pageSize` a page; `honourMarker` false: it ignores every paging parameter. */
function v1Server(pageSize: number, honourMarker = true) {
  const asked: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const marker = honourMarker ? url.searchParams.get("marker") : null;
    asked.push(marker);
    const prefix = url.searchParams.get("prefix") ?? "";
    const rest = KEYS.filter((k) => k.startsWith(prefix) && (marker === null || k > marker));
    const page = rest.slice(0, pageSize);
    return listingPage({
      prefix,
      marker: marker ?? "",
      pageSize,
      truncated: rest.length > pageSize,
      keys: page,
    });
  });
  return { server, asked, endpoint: `http://127.0.0.1:${server.addr.port}` };
}

async function collect(it: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of it) out.push(o.key);
  return out;
}

Deno.test("S3Store: a ListObjects v1 server paging by marker is listed whole", async () => {
  const v1 = v1Server(2);
  try {
    await using store = testS3Store({ url: v1.endpoint }, "b", { maxAttempts: 1 });
    assertEquals(await collect(store.list("p/")), KEYS);
    assertEquals(v1.asked, [null, "p/b c", "p/f"]);
    // And from a key on: the start-after the server ignored is asked again as a marker.
    v1.asked.length = 0;
    assertEquals(await collect(store.list("p/", { startAfter: "p/b c" })), KEYS.slice(2));
    assertEquals(v1.asked, [null, "p/b c", "p/f"]);
  } finally {
    await v1.server.shutdown();
  }
});

Deno.test("S3Store: a server ignoring every paging parameter still fails, naming the listing", async () => {
  const v1 = v1Server(2, false);
  try {
    await using store = testS3Store({ url: v1.endpoint }, "b", { maxAttempts: 1 });
    const e = await assertRejects(() => collect(store.list("p/")), StoreError);
    assertStringIncludes(e.message, "LIST s3://b/p/");
    assertStringIncludes(e.message, "would never end");
  } finally {
    await v1.server.shutdown();
  }
});
