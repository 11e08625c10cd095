/**
 * Listing pages a broken or hostile S3-compatible server writes wrong: a body
 * that is not UTF-8 (or says it is in another encoding), and keys out of key
 * order or listed twice. Each used to be handed on: bytes that are not UTF-8
 * became U+FFFD, a key that does not exist (`a\uFFFDb` for `a<FF>b`), and a
 * key listed twice or out of order reached `repo gc`, `cache prefill`, the
 * versioned cache, all of which rely on the store's promise of one key each,
 * in key order. Each must fail the listing with an error naming it.
 */
import { StoreError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const enc = new TextEncoder();

function contents(key: string | Uint8Array): Uint8Array {
  return concat(
    enc.encode("<Contents><Key>"),
    typeof key === "string" ? enc.encode(key) : key,
    enc.encode(
      "</Key><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size></Contents>",
    ),
  );
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A page of `entries`; `token` set makes it truncated with that continuation token. */
function page(
  entries: (string | Uint8Array)[],
  options: { declaration?: string; token?: string } = {},
) {
  const truncated = options.token === undefined
    ? "<IsTruncated>false</IsTruncated>"
    : `<IsTruncated>true</IsTruncated><NextContinuationToken>${options.token}</NextContinuationToken>`;
  return concat(
    enc.encode(`${options.declaration ?? '<?xml version="1.0" encoding="UTF-8"?>'}\n`),
    enc.encode(`<ListBucketResult>${truncated}`),
    ...entries.map(contents),
    enc.encode("</ListBucketResult>"),
  );
}

/** A server answering each listing with `pages(continuationToken)`. */
async function listWith(
  pages: (token: string | null) => Uint8Array<ArrayBuffer>,
): Promise<{ keys: string[]; error?: Error }> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    return new Response(pages(url.searchParams.get("continuation-token")), {
      headers: { "content-type": "application/xml" },
    });
  });
  const keys: string[] = [];
  try {
    await using store = new S3Store({
      bucket: "b",
      endpoint: `http://127.0.0.1:${server.addr.port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 2,
    });
    try {
      for await (const o of store.list("")) keys.push(o.key);
      return { keys };
    } catch (error) {
      return { keys, error: error as Error };
    }
  } finally {
    await server.shutdown();
  }
}

async function failing(pages: (token: string | null) => Uint8Array<ArrayBuffer>): Promise<Error> {
  const { keys, error } = await listWith(pages);
  assert(error instanceof StoreError, `listed ${JSON.stringify(keys)}, or ${error}`);
  return error;
}

Deno.test("s3 list: a listing body that is not UTF-8 fails, naming the listing, instead of keys with U+FFFD", async () => {
  const error = await failing(() => page([new Uint8Array([0x61, 0xff, 0x62])]));
  assertStringIncludes(error.message, "LIST s3://b/");
  assertStringIncludes(error.message, "not UTF-8");
});

Deno.test("s3 list: a listing in another encoding (Latin-1) fails, naming the encoding it declares", async () => {
  const error = await failing(() =>
    page([new Uint8Array([0x63, 0xe9])], {
      declaration: `<?xml version="1.0" encoding="ISO-8859-1"?>`,
    })
  );
  assertStringIncludes(error.message, "LIST s3://b/");
  assertStringIncludes(error.message, "ISO-8859-1");
});

Deno.test("s3 list: a listing declaring utf-8 in any spelling, or nothing, still lists", async () => {
  for (
    const declaration of [`<?xml version="1.0" encoding='utf-8'?>`, `<?xml version="1.0"?>`, ""]
  ) {
    const { keys, error } = await listWith(() => page(["a", "é"], { declaration }));
    assertEquals(error, undefined, declaration);
    assertEquals(keys, ["a", "é"]);
  }
});

Deno.test("s3 list: a key listed twice in a page fails the listing, naming the key", async () => {
  const error = await failing(() => page(["a", "a"]));
  assertStringIncludes(error.message, "LIST s3://b/");
  assertStringIncludes(error.message, '"a"');
});

Deno.test("s3 list: keys out of key order in a page fail the listing, naming them", async () => {
  const error = await failing(() => page(["b", "a"]));
  assertStringIncludes(error.message, "LIST s3://b/");
  assertStringIncludes(error.message, '"a"');
  assertStringIncludes(error.message, '"b"');
});

Deno.test("s3 list: a next page going back before the last key fails the listing", async () => {
  const error = await failing((token) =>
    token === null ? page(["a", "c"], { token: "t1" }) : page(["b"])
  );
  assertStringIncludes(error.message, '"b"');
  assertStringIncludes(error.message, '"c"');
});

Deno.test("s3 list: key order is UTF-8 byte order, not UTF-16's", async () => {
  // U+FF61 sorts before U+1F600 in UTF-8 bytes, after it in UTF-16 code units.
  const { keys, error } = await listWith(() => page(["\uff61", "\u{1f600}"]));
  assertEquals(error, undefined);
  assertEquals(keys, ["\uff61", "\u{1f600}"]);
});
