/**
 * Servers that take a listing's `marker` (ListObjects v1) or `start-after`
 * as inclusive answer the next page starting with the key asked to list
 * after (s3rver did; versitygw did until 2023): the same key on two pages.
 * vc refused the listing ("listed twice", then "ignored start-after"), so
 * such a bucket could not be listed past its first page at all. The key it
 * asked to list after is dropped from the page instead: every key once, in
 * order. A page that holds nothing after that key still fails the listing
 * (asked again, it would be the same page forever).
 */
import { StoreError } from "../src/errors.ts";
import type { ObjectInfo } from "../src/store/types.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";
import { listingPage } from "./s3_listing_page.ts";

const KEYS = ["p/a", "p/b c", "p/d+e", "p/f", "p/g%h", "p/z", "p/\u00fc"];

/**
 * A listing of KEYS, `pageSize` a page, that lists from the key it is given
 * on (`marker` for a v1 answer, `start-after` for a v2 one without tokens).
 */
function inclusiveServer(pageSize: number, v1: boolean) {
  const asked: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const from = url.searchParams.get(v1 ? "marker" : "start-after");
    asked.push(from);
    const prefix = url.searchParams.get("prefix") ?? "";
    const enc = new TextEncoder();
    const cmp = (a: string, b: string) => compareBytes(enc.encode(a), enc.encode(b));
    const rest = KEYS.filter((k) => k.startsWith(prefix) && (from === null || cmp(k, from) >= 0));
    const page = rest.slice(0, pageSize);
    return listingPage({
      prefix,
      ...(v1 ? { marker: from ?? "" } : {}),
      pageSize,
      truncated: rest.length > pageSize,
      keys: page,
    });
  });
  return { server, asked, endpoint: `http://127.0.0.1:${server.addr.port}` };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

async function collect(it: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of it) out.push(o.key);
  return out;
}

for (const v1 of [true, false]) {
  const kind = v1
    ? "a ListObjects v1 server with an inclusive marker"
    : "a server with an inclusive start-after and no tokens";
  Deno.test(`S3Store: ${kind} is listed whole, each key once`, async () => {
    const s = inclusiveServer(3, v1);
    try {
      await using store = testS3Store({ url: s.endpoint }, "b", { maxAttempts: 1 });
      assertEquals(await collect(store.list("p/")), KEYS);
      assertEquals(await collect(store.list("p/", { startAfter: "p/d+e" })), KEYS.slice(3));
      assertEquals(await collect(store.list("p/", { startAfter: "p/\u00fc" })), []);
    } finally {
      await s.server.shutdown();
    }
  });

  Deno.test(`S3Store: ${kind}, one key a page, fails instead of asking for that page forever`, async () => {
    const s = inclusiveServer(1, v1);
    try {
      await using store = testS3Store({ url: s.endpoint }, "b", { maxAttempts: 1 });
      await assertRejects(() => collect(store.list("p/")), StoreError, "would never end");
      assertEquals(s.asked.length <= 4, true);
    } finally {
      await s.server.shutdown();
    }
  });
}
