/**
 * Issue 10, what an upload's multipart body may declare, over real HTTP on
 * 127.0.0.1: one `file` field only (a second one fails the upload and leaves
 * the previous file or placeholder as it was, on a directory and on S3),
 * filenames kept as base names or refused, content types that are media
 * types, and ambiguous part headers refused.
 */
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  keys,
  newCacheId,
  serviceS3Store,
  startService,
  type TestService,
  upload,
} from "./server_helpers.ts";

const MiB = 1024 * 1024;
const enc = new TextEncoder();

/** Posts a raw multipart body with boundary `Q`. */
async function postRaw(
  t: TestService,
  id: string,
  body: string | Uint8Array,
): Promise<{ status: number; error: string }> {
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: t.tokens.alice, "content-type": "multipart/form-data; boundary=Q" },
    body: body as BodyInit,
  });
  const doc = await res.json();
  return { status: res.status, error: doc.error ?? "" };
}

function part(disposition: string, content: string, extra = ""): string {
  return `--Q\r\nContent-Disposition: form-data; ${disposition}\r\n${extra}\r\n${content}\r\n`;
}

async function download(t: TestService, id: string): Promise<Response> {
  return await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: t.tokens.alice } });
}

/** A store to serve from, and (for S3) how many multipart uploads are still open. */
interface Backing extends AsyncDisposable {
  store: ObjectStore;
  openUploads(): Promise<number>;
}
type Variant = [
  string,
  (() => Promise<Backing>) | undefined,
  { maxBytesPerIdentity?: number },
];
const stores: Variant[] = [
  ["a directory", undefined, {}],
  ["a directory, with a quota (usage unchanged)", undefined, { maxBytesPerIdentity: 64 * MiB }],
  ["S3 (multipart upload of unknown size)", async () => {
    const fake = await startFakeS3({ buckets: ["cache"] });
    const store = serviceS3Store(fake.url);
    return {
      store,
      async openUploads() {
        const res = await fetch(`${fake.url}/cache?uploads`);
        return (await res.text()).split("<Upload>").length - 1;
      },
      [Symbol.asyncDispose]: () => fake[Symbol.asyncDispose](),
    };
  }, {}],
];

/** Every object's key and bytes, as text. */
async function snapshot(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for (const key of await keys(store)) {
    out.push(`${key}: ${await new Response((await store.get(key)).body).text()}`);
  }
  return out;
}

for (const [where, makeStore, limits] of stores) {
  Deno.test(`upload with two "file" parts is 400 and changes nothing, on ${where}`, async () => {
    await using backing = makeStore === undefined ? undefined : await makeStore();
    await using t = await startService({
      ...limits,
      ...(backing === undefined ? {} : { store: backing.store }),
    });
    const alice = t.tokens.alice;
    const id = (await newCacheId(t.url, alice, { dup: 1 })).doc.cache_id as string;
    const placeholder = (await newCacheId(t.url, alice, { dup: 2 })).doc.cache_id as string;
    assertEquals((await upload(t.url, alice, id, "original", "orig.txt")).status, 200);
    const before = await snapshot(t.store);
    // The first file is big enough to be streamed into the store (on S3, as
    // several parts of a multipart upload) before the second part is seen.
    const big = "A".repeat(6 * MiB);
    const bodies: [string, string][] = [
      [
        "two file parts",
        part('name="file"; filename="one.txt"', "ONE") +
        part('name="file"; filename="two.txt"', "TWO") + "--Q--\r\n",
      ],
      [
        "a big file, another field, then a second file",
        part('name="file"; filename="one.txt"', big) + part('name="note"', "hi") +
        part('name="file"; filename="two.txt"', "TWO") + "--Q--\r\n",
      ],
      [
        "a second file field without a filename",
        part('name="file"; filename="one.txt"', big) + part('name="file"', "TWO") + "--Q--\r\n",
      ],
    ];
    for (const [what, body] of bodies) {
      for (const target of [id, placeholder]) {
        const res = await postRaw(t, target, body);
        assertEquals(res.status, 400, what);
        assertStringIncludes(res.error, 'more than one "file" field', what);
      }
      const got = await download(t, id);
      assertEquals([got.status, await got.text()], [200, "original"], what);
      assertStringIncludes(got.headers.get("content-disposition")!, "orig.txt", what);
      const still = await download(t, placeholder);
      assertEquals(still.status, 404, what);
      await still.body?.cancel();
      assertEquals(await snapshot(t.store), before, `${what}: nothing stored or changed`);
      if (backing !== undefined) assertEquals(await backing.openUploads(), 0, what);
    }
    // A body cut off after the file's delimiter, before the closing one, is
    // refused the same way; other fields after the file are fine.
    for (const end of ["--Q", "--Q\r\n"]) {
      const cut = await postRaw(t, id, part('name="file"; filename="one.txt"', "ONE") + end);
      assertEquals(cut.status, 400, end);
      if (end === "--Q") assertStringIncludes(cut.error, "closing delimiter");
    }
    assertEquals(await snapshot(t.store), before);
    const fine = await postRaw(
      t,
      id,
      part('name="file"; filename="new.txt"', "NEW") + part('name="note"', "hi") + "--Q--\r\n",
    );
    assertEquals(fine.status, 200);
    assertEquals(await (await download(t, id)).text(), "NEW");
  });
}

Deno.test("upload filenames: base name kept, no-name and control characters refused", async () => {
  await using t = await startService();
  const id = (await newCacheId(t.url, t.tokens.alice, { names: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, t.tokens.alice, id, "original", "orig.txt")).status, 200);
  const stored: [string, string][] = [
    ['filename="C:\\x\\y.txt"', "y.txt"],
    ['filename="../../y"', "y"],
    ['filename="/etc/passwd"', "passwd"],
    ["filename*=UTF-8''..%2F..%2Fz.csv", "z.csv"],
    ['filename="q\\"uo%22te;x=1.txt"', 'q"uo"te;x=1.txt'],
    // Only the three WHATWG escapes are decoded; other `%` stay as sent.
    ['filename="100%25 %0a.txt"', "100%25 %0a.txt"],
    ["filename=\"x\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%95%B0.csv", "résumé 数.csv"],
    ['filename="notes. "', "notes. "],
    ['filename=" a "', " a "],
  ];
  for (const [param, name] of stored) {
    const res = await postRaw(t, id, part(`name="file"; ${param}`, "data") + "--Q--\r\n");
    assertEquals(res.status, 200, param);
    const got = await download(t, id);
    assertEquals(await got.text(), "data", param);
    const disposition = got.headers.get("content-disposition")!;
    const m =
      /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)$/
        .exec(disposition);
    assert(m !== null, `${param}: ${disposition}`);
    assert(!m[1]!.includes('"') && !m[1]!.includes("\\"), `${param}: ${disposition}`);
    assertEquals(decodeURIComponent(m[2]!), name, param);
  }
  const refused: [string, string][] = [
    ['filename=""', "no filename"],
    ['filename=".."', "not a file name"],
    ['filename="dir/"', "not a file name"],
    ['filename="a\\.."', "not a file name"],
    ['filename="   "', "only spaces"],
    ['filename="placeholder"', "no file yet"],
    ['filename="C:\\out\\placeholder"', "no file yet"],
    ["filename*=UTF-8''dir%2F%C2%A0%20", "only spaces"],
    ["filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.txt", "control characters"],
    ["filename*=UTF-8''a%00.txt", "control characters"],
    ['filename="a\tb.txt"', "control characters"],
    // A newline as curl 7.81+, urllib3 2.x and browsers send it (WHATWG):
    // before, stored as the different name `a%0Ab.txt`.
    ['filename="a%0Ab.txt"', "control characters"],
    ['filename="a%0D%0ASet-Cookie: x.txt"', "control characters"],
  ];
  const before = await keys(t.store);
  for (const [param, message] of refused) {
    const res = await postRaw(t, id, part(`name="file"; ${param}`, "bad") + "--Q--\r\n");
    assertEquals(res.status, 400, param);
    assertStringIncludes(res.error, message, param);
  }
  assertEquals(await keys(t.store), before);
  assertEquals(await (await download(t, id)).text(), "data");
});

Deno.test("upload content types: media types with parameters kept, garbage refused", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { types: 1 })).doc.cache_id as string;
  const put = (type: string) =>
    postRaw(
      t,
      id,
      part('name="file"; filename="blob.bin"', "data", `Content-Type: ${type}\r\n`) +
        "--Q--\r\n",
    );
  // An unknown extension is served with the type it was uploaded with.
  const kept: [string, string][] = [
    ["text/plain; charset=latin1", "text/plain; charset=latin1"],
    ['application/x-thing; a="b c"; d=e', 'application/x-thing; a="b c"; d=e'],
    ["", "application/octet-stream"],
  ];
  for (const [type, served] of kept) {
    assertEquals((await put(type)).status, 200, type);
    const got = await download(t, id);
    await got.body?.cancel();
    assertEquals(got.headers.get("content-type"), served, type);
  }
  // A known extension gives the type, but its charset=utf-8 is a guess:
  // the charset the upload declared is the one the bytes are in (before,
  // a Latin-1 .txt was served as UTF-8).
  const named: [string, string, string][] = [
    ["notes.txt", "text/plain; charset=iso-8859-1", "text/plain; charset=iso-8859-1"],
    ["notes.csv", 'text/plain; format=x; charset="windows-1252"', "text/csv; charset=windows-1252"],
    ["notes.txt", "application/octet-stream", "text/plain; charset=utf-8"],
    ["notes.txt", "", "text/plain; charset=utf-8"],
    ["notes.json", "application/json; charset=utf-8", "application/json"],
  ];
  for (const [filename, type, served] of named) {
    const header = type === "" ? "" : `Content-Type: ${type}\r\n`;
    const res = await postRaw(
      t,
      id,
      part(`name="file"; filename="${filename}"`, "data", header) + "--Q--\r\n",
    );
    assertEquals(res.status, 200, type);
    for (const method of ["GET", "HEAD"]) {
      const got = await fetch(`${t.url}/v1/cache/${id}`, {
        method,
        headers: { authorization: alice },
      });
      await got.body?.cancel();
      assertEquals(got.headers.get("content-type"), served, `${method} ${filename} ${type}`);
    }
  }
  assertEquals((await put("image/png")).status, 200);
  const before = await keys(t.store);
  for (
    const type of [
      "garbage",
      "text/plain; x=\u20ac",
      "text/html, text/plain",
      "text/\u00e9",
      "a/b; c",
    ]
  ) {
    const res = await put(type);
    assertEquals(res.status, 400, type);
    assertStringIncludes(res.error, "not a valid media type", type);
  }
  assertEquals(await keys(t.store), before);
  // Metadata written before uploads were checked may hold anything: served
  // as application/octet-stream instead of failing every download.
  const metaKey = `meta/${id}.json`;
  const meta = JSON.parse(await new Response((await t.store.get(metaKey)).body).text());
  assertEquals(meta.contentType, "image/png");
  meta.contentType = "text/plain; x=\u20ac\r\nSet-Cookie: a=b";
  await t.store.put(metaKey, enc.encode(JSON.stringify(meta)), {
    contentType: "application/json",
  });
  const got = await download(t, id);
  assertEquals([got.status, await got.text()], [200, "data"]);
  assertEquals(got.headers.get("content-type"), "application/octet-stream");
  assertEquals(got.headers.get("set-cookie"), null);
});

Deno.test("upload part headers: repeated headers or parameters and encodings are refused", async () => {
  await using t = await startService();
  const id = (await newCacheId(t.url, t.tokens.alice, { headers: 1 })).doc.cache_id as string;
  const cases: [string, string, string][] = [
    [
      "name given twice",
      `--Q\r\nContent-Disposition: form-data; name="note"; name="file"; filename="a.txt"\r\n\r\nx\r\n--Q--\r\n`,
      "twice",
    ],
    [
      "filename given twice",
      `--Q\r\nContent-Disposition: form-data; name="file"; filename="a.txt"; filename="b.txt"\r\n\r\nx\r\n--Q--\r\n`,
      "twice",
    ],
    [
      "Content-Disposition twice",
      `--Q\r\nContent-Disposition: form-data; name="note"\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nx\r\n--Q--\r\n`,
      "twice",
    ],
    [
      "Content-Type twice",
      `--Q\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\n\r\nx\r\n--Q--\r\n`,
      "twice",
    ],
    [
      "base64 transfer encoding",
      `--Q\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\neA==\r\n--Q--\r\n`,
      "Content-Transfer-Encoding",
    ],
  ];
  for (const [what, body, message] of cases) {
    const res = await postRaw(t, id, body);
    assertEquals(res.status, 400, what);
    assertStringIncludes(res.error, message, what);
  }
  assertEquals(await keys(t.store, "data/"), []);
  const ok = await postRaw(
    t,
    id,
    `--Q\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Transfer-Encoding: binary\r\n\r\nx\r\n--Q--\r\n`,
  );
  assertEquals(ok.status, 200);
});

/**
 * A store that finishes every write, then answers an aborted one with the
 * abort (waiting for it, bounded): an S3 PUT that landed while its answer
 * was cut off.
 */
class LandsThenAborts extends FsStore {
  override async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    const { signal, ...rest } = options;
    const put = await super.put(key, body, rest);
    if (signal !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        if (signal.aborted) (clearTimeout(timer), resolve());
      });
      signal.throwIfAborted();
    }
    return put;
  }
}

Deno.test("serve: a refused upload (404, 403) leaves no data, even where the write landed unanswered", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_lands_" });
  try {
    await using t = await startService({ store: new LandsThenAborts(dir) });
    const unknown = "a".repeat(128);
    assertEquals((await upload(t.url, t.tokens.alice, unknown, "x".repeat(5000))).status, 404);
    const id = (await newCacheId(t.url, t.tokens.alice, { lands: 1 })).doc.cache_id as string;
    assertEquals((await upload(t.url, t.tokens.bob, id, "y".repeat(5000))).status, 403);
    assertEquals(await keys(t.store, "data/"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
