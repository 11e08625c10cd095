/**
 * One scenario, every store: `FsStore`, `MemoryStore` and `S3Store` against
 * vc's fake S3 run the same calls and must answer alike (the same values, or
 * errors of the same class). With `VC_TEST_S3_ENDPOINT` set (moto, in
 * `deno task test:compat`) an `S3Store` on a fresh bucket there joins them,
 * so the fake is held to a third-party S3 as well.
 *
 * Where a directory cannot do what S3 does (keys with an empty segment, `a`
 * beside `a/b`), the difference is asserted as the README states it.
 */
import { CreateBucketCommand, DeleteBucketCommand } from "@aws-sdk/client-s3";
import { withS3Client } from "./s3_test_client.ts";
import { md5Hex } from "../src/hash.ts";
import { FsStore } from "../src/store/fs.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { S3Store } from "../src/store/s3.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { listKeys, startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";

const enc = new TextEncoder();
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const region = "us-east-1";
const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT") || undefined;

interface Stores extends AsyncDisposable {
  /** Name → store, FsStore first. */
  all: [string, ObjectStore][];
}

async function openStores(): Promise<Stores> {
  const cleanups: (() => Promise<void>)[] = [];
  const dispose = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const all: [string, ObjectStore][] = [];
    const dir = await Deno.makeTempDir({ prefix: "vc-parity-" });
    cleanups.push(() => Deno.remove(dir, { recursive: true }));
    all.push(["FsStore", new FsStore(dir)]);
    all.push(["MemoryStore", new MemoryStore()]);
    const fake = await startFakeS3({ buckets: ["parity"] });
    cleanups.push(async () => await fake[Symbol.asyncDispose]());
    const onFake = new S3Store({
      bucket: "parity",
      endpoint: fake.url,
      region,
      forcePathStyle: true,
      credentials,
    });
    cleanups.push(() => onFake.close());
    all.push(["S3Store (fake S3)", onFake]);
    if (endpoint !== undefined) {
      const bucket = `vc-parity-${crypto.randomUUID().slice(0, 12)}`;
      await withS3Client(endpoint, (c) => c.send(new CreateBucketCommand({ Bucket: bucket })));
      const real = new S3Store({ bucket, endpoint, region, forcePathStyle: true, credentials });
      cleanups.push(async () => {
        try {
          await real.delete(await listKeys(real, ""));
          await withS3Client(endpoint, (c) => c.send(new DeleteBucketCommand({ Bucket: bucket })));
        } finally {
          await real.close();
        }
      });
      all.push([`S3Store (${endpoint})`, real]);
    }
    return { all, [Symbol.asyncDispose]: dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** What a call came to: its value (dates dropped), or the class of its error. */
async function outcome(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return JSON.parse(
      JSON.stringify(await fn() ?? null, (_k, v) => v instanceof Date ? "(date)" : v),
    );
  } catch (e) {
    return { error: e instanceof Error ? e.constructor.name : String(e) };
  }
}

/**
 * Runs `scenario` against every store and asserts each store's outcomes
 * equal `expected` (given) or else the first store's.
 */
async function parity(
  scenario: (s: ObjectStore) => Record<string, () => Promise<unknown>>,
  expected?: Record<string, unknown>,
): Promise<void> {
  await using stores = await openStores();
  let first: Record<string, unknown> | undefined = expected;
  for (const [name, store] of stores.all) {
    const got: Record<string, unknown> = {};
    for (const [step, fn] of Object.entries(scenario(store))) got[step] = await outcome(fn);
    if (first === undefined) first = got;
    else {
      const than = expected === undefined ? stores.all[0]![0] : "expected";
      assertEquals(got, first, `${name} answers otherwise than ${than}`);
    }
  }
}

const text = async (s: ObjectStore, key: string, range?: { start: number; end?: number }) => {
  const { body, info } = await s.get(key, range === undefined ? {} : { range });
  return { text: await new Response(body).text(), size: info.size };
};
const put = (s: ObjectStore, key: string, body = "x") => s.put(key, enc.encode(body));

Deno.test("parity: listing is in UTF-8 byte order, around U+E000–U+FFFF and beyond U+FFFF", async () => {
  // UTF-16 order (JS string compare) puts U+1F600 (a surrogate pair, 0xD83D…)
  // before U+E000 and U+FFFD; UTF-8 order puts it after. Names below `/`
  // (`-`, `.`, `!`, space) sort before a directory's contents.
  const keys = [
    "o/\u{1F600}/a",
    "o/\u{1F600}x",
    "o/\uE000/a",
    "o/\uE000.x",
    "o/\uFFFD",
    "o/\uFFFF/q",
    "o/a-b",
    "o/a.b",
    "o/a/x",
    "o/a0",
    "o/a!/y",
    "o/a /z",
    "o/b/\u{10000}/c",
    "o/b/\uFFFD/c",
    "o/b/\uFFFD-",
  ];
  const sorted = [
    "o/a /z",
    "o/a!/y",
    "o/a-b",
    "o/a.b",
    "o/a/x",
    "o/a0",
    "o/b/\uFFFD-",
    "o/b/\uFFFD/c",
    "o/b/\u{10000}/c",
    "o/\uE000.x",
    "o/\uE000/a",
    "o/\uFFFD",
    "o/\uFFFF/q",
    "o/\u{1F600}/a",
    "o/\u{1F600}x",
  ];
  await parity((s) => ({
    put: async () => {
      for (const k of keys) await put(s, k);
    },
    all: () => listKeys(s, "o/"),
    prefix: () => listKeys(s, "o/b/"),
    afterBmp: () => listKeys(s, "o/", "o/\uE000/a"),
    afterAstral: () => listKeys(s, "o/", "o/\u{1F600}"),
    afterDirName: () => listKeys(s, "o/", "o/a/"),
  }), {
    put: null,
    all: sorted,
    prefix: ["o/b/\uFFFD-", "o/b/\uFFFD/c", "o/b/\u{10000}/c"],
    afterBmp: sorted.slice(sorted.indexOf("o/\uE000/a") + 1),
    afterAstral: ["o/\u{1F600}/a", "o/\u{1F600}x"],
    afterDirName: sorted.slice(sorted.indexOf("o/a/x")),
  });
});

Deno.test("parity: empty objects, and ranges past the end", async () => {
  await parity((s) => ({
    putEmpty: () => s.put("e/x", new Uint8Array()),
    headEmpty: async () => (await s.head("e/x"))?.size,
    getEmpty: () => text(s, "e/x"),
    rangeOfEmpty: () => text(s, "e/x", { start: 0 }),
    put: () => put(s, "r/x", "hello"),
    endPastEnd: () => text(s, "r/x", { start: 3, end: 100 }),
    lastByte: () => text(s, "r/x", { start: 4 }),
    startAtSize: () => text(s, "r/x", { start: 5 }),
    startPastEnd: () => text(s, "r/x", { start: 10 }),
    endBeforeStart: () => text(s, "r/x", { start: 3, end: 1 }),
  }), {
    putEmpty: { etag: "d41d8cd98f00b204e9800998ecf8427e" },
    headEmpty: 0,
    getEmpty: { text: "", size: 0 },
    rangeOfEmpty: { error: "InvalidInputError" },
    put: { etag: "5d41402abc4b2a76b9719d911017c592" },
    endPastEnd: { text: "lo", size: 5 },
    lastByte: { text: "o", size: 5 },
    startAtSize: { error: "InvalidInputError" },
    startPastEnd: { error: "InvalidInputError" },
    endBeforeStart: { error: "InvalidInputError" },
  });
});

Deno.test("parity: conditional writes and their errors", async () => {
  const hello = "5d41402abc4b2a76b9719d911017c592";
  await parity((s) => ({
    create: () => s.put("c/x", enc.encode("hello"), { ifNoneMatch: "*" }),
    createAgain: () => s.put("c/x", enc.encode("other"), { ifNoneMatch: "*" }),
    wrongEtag: () => s.put("c/x", enc.encode("other"), { ifMatch: "0".repeat(32) }),
    upperCaseEtag: () => s.put("c/x", enc.encode("other"), { ifMatch: hello.toUpperCase() }),
    quotedEtag: () => s.put("c/x", enc.encode("hello!"), { ifMatch: `"${hello}"` }),
    missingKey: () => s.put("c/none", enc.encode("x"), { ifMatch: hello }),
    both: () => s.put("c/x", enc.encode("x"), { ifMatch: hello, ifNoneMatch: "*" }),
    streamCreateAgain: () =>
      s.put("c/x", ReadableStream.from([enc.encode("s")]), { ifNoneMatch: "*" }),
    body: () => text(s, "c/x"),
    deleteWrongEtag: () => s.delete(["c/x"], { ifMatch: hello }),
    still: async () => (await s.head("c/x"))?.size,
  }), {
    create: { etag: hello },
    createAgain: { error: "PreconditionFailedError" },
    wrongEtag: { error: "PreconditionFailedError" },
    upperCaseEtag: { error: "PreconditionFailedError" },
    quotedEtag: { etag: md5Hex(enc.encode("hello!")) },
    missingKey: { error: "PreconditionFailedError" },
    both: { error: "PreconditionFailedError" },
    streamCreateAgain: { error: "PreconditionFailedError" },
    body: { text: "hello!", size: 6 },
    deleteWrongEtag: { error: "PreconditionFailedError" },
    still: 6,
  });
});

Deno.test("parity: metadata names come back lower-cased; values S3 would change are refused", async () => {
  await parity((s) => ({
    mixedCase: async () => {
      await s.put("m/a", enc.encode("x"), { metadata: { Owner: "Me", "X-Run-Id": "A b" } });
      return (await s.head("m/a"))?.metadata;
    },
    copied: async () => {
      await s.copy("m/a", "m/b");
      return (await s.head("m/b"))?.metadata;
    },
    nonAscii: () => s.put("m/c", enc.encode("x"), { metadata: { name: "caf\u00e9" } }),
    // S3 drops leading and trailing spaces (HTTP trims header values) ...
    padded: () => s.put("m/d", enc.encode("x"), { metadata: { name: " spaced " } }),
    trailing: () => s.put("m/d", enc.encode("x"), { metadata: { name: "end " } }),
    // ... and decodes RFC 2047 encoded words: this value read back as "été".
    encodedWord: () =>
      s.put("m/e", enc.encode("x"), { metadata: { name: "=?UTF-8?B?w6l0w6k=?=" } }),
    inner: async () => {
      await s.put("m/f", enc.encode("x"), { metadata: { name: "a  b =? c ?=" } });
      return (await s.head("m/f"))?.metadata;
    },
    refusedStoredNothing: () => listKeys(s, "m/"),
  }), {
    mixedCase: { owner: "Me", "x-run-id": "A b" },
    copied: { owner: "Me", "x-run-id": "A b" },
    nonAscii: { error: "InvalidInputError" },
    padded: { error: "InvalidInputError" },
    trailing: { error: "InvalidInputError" },
    encodedWord: { error: "InvalidInputError" },
    inner: { name: "a  b =? c ?=" },
    refusedStoredNothing: ["m/a", "m/b", "m/f"],
  });
});

Deno.test("parity: deleting a missing key succeeds, as S3's 204 does", async () => {
  await parity((s) => ({
    missing: () => s.delete(["d/none"]),
    missingWithEtag: () => s.delete(["d/none"], { ifMatch: "0".repeat(32) }),
    mixed: async () => {
      await put(s, "d/here");
      await s.delete(["d/none", "d/here", "d/here"]);
      return await listKeys(s, "d/");
    },
  }), { missing: null, missingWithEtag: null, mixed: [] });
});

Deno.test("parity: a copy onto itself is the object as it is", async () => {
  // S3 refuses a CopyObject onto itself (400 InvalidRequest); FsStore read
  // and rewrote the file. Now every store answers the object's ETag.
  await parity((s) => ({
    put: () => s.put("s/x", enc.encode("hello"), { metadata: { run: "7" } }),
    self: () => s.copy("s/x", "s/x"),
    after: async () => ({ ...(await text(s, "s/x")), meta: (await s.head("s/x"))?.metadata }),
    selfCreateOnly: () => s.copy("s/x", "s/x", { ifNoneMatch: "*" }),
    missingSelf: () => s.copy("s/none", "s/none"),
    missingSelfCreateOnly: () => s.copy("s/none", "s/none", { ifNoneMatch: "*" }),
    keys: () => listKeys(s, "s/"),
  }), {
    put: { etag: "5d41402abc4b2a76b9719d911017c592" },
    self: { etag: "5d41402abc4b2a76b9719d911017c592" },
    after: { text: "hello", size: 5, meta: { run: "7" } },
    selfCreateOnly: { error: "PreconditionFailedError" },
    missingSelf: { error: "NotFoundError" },
    missingSelfCreateOnly: { error: "NotFoundError" },
    keys: ["s/x"],
  });
});

Deno.test("parity: a trailing space is part of the key; dot segments are refused everywhere", async () => {
  await parity((s) => ({
    spaced: () => put(s, "k/x "),
    plain: () => s.head("k/x"),
    listed: () => listKeys(s, "k/"),
    read: () => text(s, "k/x "),
    dot: () => put(s, "k/./y"),
    dotDot: () => put(s, "k/../y"),
    dotHead: () => s.head("k/./x "),
  }), {
    spaced: { etag: "9dd4e461268c8034f5c8564e155c67a6" },
    plain: null,
    listed: ["k/x "],
    read: { text: "x", size: 1 },
    dot: { error: "InvalidInputError" },
    dotDot: { error: "InvalidInputError" },
    dotHead: { error: "InvalidInputError" },
  });
});

Deno.test("parity: the keys only S3 can hold are refused by FsStore, as the README says", async () => {
  await using stores = await openStores();
  for (const [name, s] of stores.all) {
    const directory = s instanceof FsStore;
    const steps: Record<string, () => Promise<unknown>> = {
      doubled: () => put(s, "q/a//b"),
      trailingSlash: () => s.put("q/dir/", new Uint8Array()),
      headTrailingSlash: async () => (await s.head("q/dir/"))?.size,
      object: () => put(s, "q/n"),
      below: () => put(s, "q/n/b"),
      listed: () => listKeys(s, "q/"),
    };
    const got: Record<string, unknown> = {};
    for (const [step, fn] of Object.entries(steps)) got[step] = await outcome(fn);
    const x = { etag: "9dd4e461268c8034f5c8564e155c67a6" };
    const empty = { etag: "d41d8cd98f00b204e9800998ecf8427e" };
    assertEquals(
      got,
      directory
        ? {
          doubled: { error: "InvalidInputError" },
          trailingSlash: { error: "InvalidInputError" },
          headTrailingSlash: { error: "InvalidInputError" },
          object: x,
          below: { error: "KeyConflictError" },
          listed: ["q/n"],
        }
        : {
          doubled: x,
          trailingSlash: empty,
          headTrailingSlash: 0,
          object: x,
          below: x,
          listed: ["q/a//b", "q/dir/", "q/n", "q/n/b"],
        },
      name,
    );
  }
});
