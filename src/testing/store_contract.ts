/**
 * The behaviour every {@linkcode ObjectStore} must have, as a reusable suite:
 * vc runs it against `S3Store`, `FsStore` and `MemoryStore`, and you can run
 * it against your own store.
 *
 * - {@linkcode storeContract} registers one `Deno.test` per case (in a test file).
 * - {@linkcode checkStore} runs every case and throws one error listing the
 *   failures (anywhere, e.g. in a script or a single test).
 * - {@linkcode STORE_CONTRACT_CASES} is the list of cases itself.
 *
 * Each case works below its own random key prefix and deletes what it wrote,
 * so the suite can run against a shared real bucket. Assertions use
 * `node:assert/strict`.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  NotModifiedError,
  PreconditionFailedError,
} from "../errors.ts";
import { md5Hex } from "../hash.ts";
import { forEachLimit } from "../pool.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { requireStore } from "../store/store_check.ts";

/** A store to test and how to dispose of it. */
export interface StoreUnderTest {
  /** The store; each case gets a fresh one from the factory. */
  store: ObjectStore;
  /** Releases it (close the store, remove temp dirs, stop servers). */
  cleanup: () => unknown;
}

/** Differences the contract allows between stores. */
export interface StoreContractOptions {
  /**
   * Whether a key can be an object and also a "directory" of other keys
   * (`a` and `a/b`). True for S3 (the default); false for FsStore, where
   * `a` would have to be both a file and a directory.
   */
  nestedObjectKeys?: boolean;
  /**
   * Whether the store decides a conditional put atomically (true, the
   * default: S3, the fake S3, FsStore, MemoryStore). False for a fake that
   * checks and then writes without a lock (moto 5: `If-None-Match: *` is
   * checked against the stored object a few statements before the put), where
   * two of ten racing creators can both win under load: the race case then
   * asserts only what such a store still promises (one winner at least, every
   * loser a `PreconditionFailedError`, a winner's bytes stored).
   */
  atomicConditionalPut?: boolean;
  /** Registers one test (default `Deno.test`); used by {@linkcode storeContract}. */
  test?: (name: string, fn: () => Promise<void>) => void;
}

/** One behaviour of the contract. */
export interface StoreContractCase {
  /** What the case checks. */
  name: string;
  /** Whether the case applies to a store with these options (default: always). */
  applies?: (options: StoreContractOptions) => boolean;
  /** Checks `store`, writing only below `prefix`. Throws `AssertionError` on a violation. */
  run: (store: ObjectStore, prefix: string, options: StoreContractOptions) => Promise<void>;
}

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const assertEquals = <T>(actual: T, expected: T, message?: string): void =>
  assert.deepStrictEqual(actual, expected, message);

type ErrorClass = abstract new (...args: never[]) => Error;

/** Asserts `fn` rejects with an instance of `cls` whose message includes `includes`. */
async function assertRejects(
  fn: () => Promise<unknown>,
  cls?: ErrorClass,
  includes?: string,
): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, "expected a rejection");
  if (cls !== undefined) {
    assert.ok(error instanceof cls, `expected ${cls.name}, got ${String(error)}`);
  }
  if (includes !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    assert.ok(
      message.includes(includes),
      `${JSON.stringify(message)} lacks ${JSON.stringify(includes)}`,
    );
  }
}

const cases: StoreContractCase[] = [];
/** Adds a case to the table (the one place new cases go). */
function c(
  name: string,
  run: StoreContractCase["run"],
  applies?: StoreContractCase["applies"],
): void {
  cases.push(applies === undefined ? { name, run } : { name, run, applies });
}

// ---- The cases ------------------------------------------------------------

c("put/get round trip from bytes, a stream and a file; ETag is the MD5", async (s, p) => {
  const data = randomBytes(300_000);
  const fromBytes = await s.put(`${p}bytes.bin`, data);
  assertEquals(fromBytes.etag, md5Hex(data));
  assertEquals(await readBody(s, `${p}bytes.bin`), data);

  const streamed = await s.put(`${p}stream.bin`, streamOf([data.slice(0, 7), data.slice(7)]));
  assertEquals(streamed.etag, md5Hex(data));
  assertEquals(await readBody(s, `${p}stream.bin`), data);

  const tmp = await Deno.makeTempFile();
  try {
    await Deno.writeFile(tmp, data);
    const fromFile = await s.put(`${p}file.bin`, { path: tmp });
    assertEquals(fromFile.etag, md5Hex(data));
  } finally {
    await Deno.remove(tmp);
  }
  assertEquals(await readBody(s, `${p}file.bin`), data);

  const hello = await s.put(`${p}hello.txt`, bytes("hello"));
  assertEquals(hello.etag, "5d41402abc4b2a76b9719d911017c592");
  const info = await s.head(`${p}hello.txt`);
  assert(info !== undefined, "head after put");
  assertEquals(info.key, `${p}hello.txt`);
  assertEquals(info.size, 5);
  assertEquals(info.etag, hello.etag);
  assert(info.lastModified instanceof Date && !Number.isNaN(info.lastModified.getTime()));
  const got = await s.get(`${p}hello.txt`);
  assertEquals(got.info.etag, hello.etag);
  assertEquals(got.info.size, 5);
  assertEquals(await new Response(got.body).text(), "hello");
});

c("put overwrites unconditionally", async (s, p) => {
  await s.put(`${p}k`, bytes("one"));
  const second = await s.put(`${p}k`, bytes("second"));
  assertEquals(second.etag, md5Hex("second"));
  assertEquals((await s.head(`${p}k`))?.etag, second.etag);
  assertEquals(new TextDecoder().decode(await readBody(s, `${p}k`)), "second");
});

c("empty object", async (s, p) => {
  const { etag } = await s.put(`${p}empty`, new Uint8Array());
  assertEquals(etag, "d41d8cd98f00b204e9800998ecf8427e");
  assertEquals((await s.head(`${p}empty`))?.size, 0);
  assertEquals((await readBody(s, `${p}empty`)).length, 0);
  const listed = await listInfos(s, p);
  assertEquals(listed.map((i) => [i.key, i.size, i.etag]), [[`${p}empty`, 0, etag]]);
});

c("missing key: head is undefined, get throws NotFoundError naming the key", async (s, p) => {
  assertEquals(await s.head(`${p}missing.csv`), undefined);
  await assertRejects(() => s.get(`${p}missing.csv`), NotFoundError, `${p}missing.csv`);
});

c("a 'directory' of keys is not an object", async (s, p) => {
  await s.put(`${p}d/x`, bytes("x"));
  assertEquals(await s.head(`${p}d`), undefined);
  await assertRejects(() => s.get(`${p}d`), NotFoundError);
});

c("byte ranges", async (s, p) => {
  const data = Uint8Array.from({ length: 100 }, (_, i) => i);
  await s.put(`${p}r`, data);
  const range = async (start: number, end?: number) => {
    const { info, body } = await s.get(`${p}r`, {
      range: end === undefined ? { start } : { start, end },
    });
    assertEquals(info.size, 100, "info.size is the whole object's size");
    return new Uint8Array(await new Response(body).arrayBuffer());
  };
  assertEquals(await range(0, 0), data.slice(0, 1), "first byte");
  assertEquals(await range(10, 19), data.slice(10, 20), "middle");
  assertEquals(await range(90), data.slice(90), "from an offset to the end");
  assertEquals(await range(0, 99), data, "whole");
  assertEquals(await range(95, 1000), data.slice(95), "end past the last byte is clamped");
  assertEquals(await range(99), data.slice(99), "last byte");
  await assertRejects(() => range(100), InvalidInputError, `${p}r`);
});

c("ifNoneMatch '*' creates once", async (s, p) => {
  await s.put(`${p}once`, bytes("first"), { ifNoneMatch: "*" });
  await assertRejects(
    () => s.put(`${p}once`, bytes("second"), { ifNoneMatch: "*" }),
    PreconditionFailedError,
    `${p}once`,
  );
  await assertRejects(
    () => s.put(`${p}once`, streamOf([bytes("third")]), { ifNoneMatch: "*" }),
    PreconditionFailedError,
  );
  assertEquals(new TextDecoder().decode(await readBody(s, `${p}once`)), "first");
});

c("concurrent create-once: exactly one of 10 writers wins", async (s, p, options) => {
  const results = await Promise.allSettled(
    Array.from(
      { length: 10 },
      (_, i) => s.put(`${p}race`, bytes(`writer ${i}`), { ifNoneMatch: "*" }),
    ),
  );
  const winners = results.flatMap((r, i) => r.status === "fulfilled" ? [i] : []);
  if (options.atomicConditionalPut === false) {
    assert(winners.length >= 1, "no writer won");
  } else {
    assertEquals(winners.length, 1, `winners: ${winners}`);
  }
  for (const r of results) {
    if (r.status === "rejected") {
      assert(
        r.reason instanceof PreconditionFailedError,
        `loser failed with ${r.reason}, expected PreconditionFailedError`,
      );
    }
  }
  const text = new TextDecoder().decode(await readBody(s, `${p}race`));
  assert(winners.some((i) => text === `writer ${i}`), `stored ${text}, winners: ${winners}`);
});

c("ifMatch compare-and-swap", async (s, p) => {
  const v1 = await s.put(`${p}cas`, bytes("v1"));
  await assertRejects(
    () => s.put(`${p}cas`, bytes("v2"), { ifMatch: md5Hex("something else") }),
    PreconditionFailedError,
    `${p}cas`,
  );
  assertEquals(new TextDecoder().decode(await readBody(s, `${p}cas`)), "v1");
  const v2 = await s.put(`${p}cas`, bytes("v2"), { ifMatch: v1.etag });
  assertEquals(v2.etag, md5Hex("v2"));
  assertEquals(new TextDecoder().decode(await readBody(s, `${p}cas`)), "v2");
  await assertRejects(
    () => s.put(`${p}cas`, bytes("v3"), { ifMatch: v1.etag }),
    PreconditionFailedError,
  );
});

c("ifMatch on a missing key fails", async (s, p) => {
  await assertRejects(
    () => s.put(`${p}nothing`, bytes("x"), { ifMatch: md5Hex("x") }),
    PreconditionFailedError,
  );
  assertEquals(await s.head(`${p}nothing`), undefined);
});

c("conditional get", async (s, p) => {
  const { etag } = await s.put(`${p}c`, bytes("content"));
  await assertRejects(() => s.get(`${p}c`, { ifNoneMatch: etag }), NotModifiedError);
  const other = await s.get(`${p}c`, { ifNoneMatch: md5Hex("other") });
  assertEquals(await new Response(other.body).text(), "content");
  await assertRejects(
    () => s.get(`${p}c`, { ifMatch: md5Hex("other") }),
    PreconditionFailedError,
  );
  const same = await s.get(`${p}c`, { ifMatch: etag });
  assertEquals(await new Response(same.body).text(), "content");
});

c("metadata and content type round trip", async (s, p) => {
  const metadata = { owner: "alice", "x-count": "3" };
  await s.put(`${p}m.csv`, bytes("a,b\n"), { metadata, contentType: "text/csv" });
  const info = await s.head(`${p}m.csv`);
  assertEquals(info?.metadata, metadata);
  assertEquals(info?.contentType, "text/csv");
  const got = await s.get(`${p}m.csv`);
  await got.body.cancel();
  assertEquals(got.info.metadata, metadata);
  assertEquals(got.info.contentType, "text/csv");
  const [listed] = await listInfos(s, p);
  assertEquals(listed?.metadata, undefined, "listings carry no metadata");
  await assertRejects(
    () => s.put(`${p}bad-meta`, bytes("x"), { metadata: { name: "caf\u00e9" } }),
    InvalidInputError,
    "caf\u00e9",
  );
  await assertRejects(
    () => s.put(`${p}bad-meta`, bytes("x"), { metadata: { "bad name": "x" } }),
    InvalidInputError,
    "bad name",
  );
  // Values S3 would hand back changed: it drops leading and trailing spaces
  // and decodes RFC 2047 encoded words.
  for (const value of [" padded", "padded ", "=?UTF-8?B?w6l0w6k=?="]) {
    await assertRejects(
      () => s.put(`${p}bad-meta`, bytes("x"), { metadata: { name: value } }),
      InvalidInputError,
      JSON.stringify(value),
    );
  }
  assertEquals(await s.head(`${p}bad-meta`), undefined);
  // A plain overwrite replaces the metadata too, as on S3.
  await s.put(`${p}m.csv`, bytes("c,d\n"));
  assertEquals(Object.keys((await s.head(`${p}m.csv`))?.metadata ?? {}), []);
});

c("list is in UTF-8 byte order", async (s, p, options) => {
  const names = [
    "Z",
    "a b",
    "a-b",
    "a.b",
    "a/b",
    "a/c-x",
    "a/c.txt",
    "a/c/d",
    "a0",
    "ab",
    "é",
    "\uFF21", // fullwidth A: after "é", before astral characters in UTF-8
    "\u{1F600}", // sorts last in UTF-8 but before U+FF21 in UTF-16
  ];
  if (options.nestedObjectKeys ?? true) names.push("n", "n/x", "n.x", "n-x");
  const keys = names.map((n) => p + n);
  await forEachLimit(shuffle([...keys]), 8, async (k) => {
    await s.put(k, bytes(k));
  });
  assertEquals(await listKeys(s, p), keys.sort(compareUtf8Bytes));
});

c("list with prefix and startAfter", async (s, p) => {
  const names = ["dir/b.csv", "dir/bar.csv", "dir/baz/x", "dir/baz/y", "dir/c", "dirt", "other"];
  await forEachLimit(names, 8, async (n) => {
    await s.put(p + n, bytes(n));
  });
  const keys = (prefix: string, startAfter?: string) =>
    listKeys(s, p + prefix, startAfter === undefined ? undefined : p + startAfter)
      .then((ks) => ks.map((k) => k.slice(p.length)));
  assertEquals(await keys("dir/ba"), ["dir/bar.csv", "dir/baz/x", "dir/baz/y"]);
  assertEquals(await keys("dir/"), [
    "dir/b.csv",
    "dir/bar.csv",
    "dir/baz/x",
    "dir/baz/y",
    "dir/c",
  ]);
  assertEquals(await keys("dir"), [
    "dir/b.csv",
    "dir/bar.csv",
    "dir/baz/x",
    "dir/baz/y",
    "dir/c",
    "dirt",
  ]);
  assertEquals(await keys("nothing"), []);
  assertEquals(await keys("", "dir/bar.csv"), [
    "dir/baz/x",
    "dir/baz/y",
    "dir/c",
    "dirt",
    "other",
  ]);
  assertEquals(await keys("", "dir/baz"), ["dir/baz/x", "dir/baz/y", "dir/c", "dirt", "other"]);
  assertEquals(await keys("", "dir/baz/x"), ["dir/baz/y", "dir/c", "dirt", "other"]);
  assertEquals(await keys("dir/", "dir/bb"), ["dir/c"]);
  assertEquals(await keys("", "zzz"), []);
  assertEquals(
    await listKeys(s, p, p.slice(0, -1)),
    names.map((n) => p + n),
    "startAfter before the prefix",
  );
  const infos = await listInfos(s, `${p}dir/c`);
  assertEquals(infos.map((i) => [i.key, i.size, i.etag]), [[`${p}dir/c`, 5, md5Hex("dir/c")]]);
  assert(infos[0]?.lastModified instanceof Date);
});

c("more than 1000 keys: listing pages and batched delete", async (s, p) => {
  const keys = Array.from({ length: 1100 }, (_, i) => `${p}k/${String(i).padStart(4, "0")}`);
  await forEachLimit(keys, 32, async (k) => {
    await s.put(k, bytes(k.slice(-4)));
  });
  assertEquals(await listKeys(s, p), keys);
  assertEquals(await listKeys(s, p, `${p}k/1049`), keys.slice(1050));
  await s.delete([...keys, `${p}k/missing-1`, `${p}k/missing-2`]);
  assertEquals(await listKeys(s, p), []);
  assertEquals(await s.head(keys[0] as string), undefined);
});

c("delete: batches, missing keys, siblings untouched", async (s, p) => {
  for (const n of ["a", "b", "c", "d/x/y", "d/z"]) await s.put(p + n, bytes(n));
  await s.delete([`${p}a`, `${p}c`, `${p}missing`, `${p}d/x/y`, `${p}also/missing`]);
  assertEquals(await listKeys(s, p), [`${p}b`, `${p}d/z`]);
  await s.delete([`${p}a`]); // already gone
  await s.delete([]);
  assertEquals(await listKeys(s, p), [`${p}b`, `${p}d/z`]);
});

c(
  "the empty key is refused by every call, and a delete naming it deletes nothing",
  async (s, p) => {
    await s.put(`${p}kept`, bytes("kept"));
    await assertRejects(() => s.put("", bytes("x")), InvalidInputError);
    await assertRejects(() => s.get(""), InvalidInputError);
    await assertRejects(() => s.head(""), InvalidInputError);
    await assertRejects(() => s.copy(`${p}kept`, ""), InvalidInputError);
    await assertRejects(() => s.delete([""]), InvalidInputError);
    // Keys are checked before any is deleted: a bad one in a batch is no half-done delete.
    await assertRejects(() => s.delete([`${p}kept`, ""]), InvalidInputError);
    assertEquals(await listKeys(s, p), [`${p}kept`]);
  },
);

c(
  "copy keeps content and metadata; honours ifNoneMatch; onto itself changes nothing",
  async (s, p) => {
    const put = await s.put(`${p}src.csv`, bytes("x,y\n"), {
      metadata: { origin: "test" },
      contentType: "text/csv",
    });
    const copied = await s.copy(`${p}src.csv`, `${p}dst/copy.csv`);
    assertEquals(copied.etag, put.etag);
    const info = await s.head(`${p}dst/copy.csv`);
    assertEquals(info?.etag, put.etag);
    assertEquals(info?.metadata, { origin: "test" });
    assertEquals(info?.contentType, "text/csv");
    assertEquals(new TextDecoder().decode(await readBody(s, `${p}dst/copy.csv`)), "x,y\n");
    await s.put(`${p}taken`, bytes("taken"));
    await assertRejects(
      () => s.copy(`${p}src.csv`, `${p}taken`, { ifNoneMatch: "*" }),
      PreconditionFailedError,
    );
    assertEquals(new TextDecoder().decode(await readBody(s, `${p}taken`)), "taken");
    await s.copy(`${p}src.csv`, `${p}fresh`, { ifNoneMatch: "*" });
    assertEquals((await s.head(`${p}fresh`))?.etag, put.etag);
    await assertRejects(() => s.copy(`${p}nope`, `${p}x`), NotFoundError);
    // Onto itself: the object as it is (S3 refuses such a CopyObject).
    assertEquals(await s.copy(`${p}src.csv`, `${p}src.csv`), { etag: put.etag });
    assertEquals((await s.head(`${p}src.csv`))?.metadata, { origin: "test" });
    await assertRejects(
      () => s.copy(`${p}src.csv`, `${p}src.csv`, { ifNoneMatch: "*" }),
      PreconditionFailedError,
    );
    await assertRejects(() => s.copy(`${p}nope`, `${p}nope`), NotFoundError);
  },
);

c("keys with spaces, unicode, '+', '%' and other punctuation", async (s, p) => {
  const names = [
    "with space.txt",
    "plus+sign.csv",
    "plus sign.csv",
    "percent%20.txt",
    "percent%2F",
    "ünïcødé/файл.csv",
    "emoji 😀.bin",
    "q?x=1&y=2",
    "hash#frag",
    "semi;colon,comma",
    "tilde~x",
    "paren(1)[2]{3}",
    "star*'quote'",
    "dollar$at@eq=",
    "colon:x",
  ];
  const keys = names.map((n) => p + n);
  await forEachLimit(keys, 8, async (k) => {
    await s.put(k, bytes(`content of ${k}`));
  });
  for (const k of keys) {
    assertEquals((await s.head(k))?.etag, md5Hex(`content of ${k}`), k);
    assertEquals(new TextDecoder().decode(await readBody(s, k)), `content of ${k}`, k);
  }
  assertEquals(await listKeys(s, p), [...keys].sort(compareUtf8Bytes));
  await s.delete(keys);
  assertEquals(await listKeys(s, p), []);
});

c(
  "keys with a leading '/', '//' or '..' never alias another key: distinct objects, or refused naming the key",
  async (s, p) => {
    // S3 keeps `/a` and `a` apart; a store may instead refuse what it cannot
    // hold (FsStore: keys must be file paths below its root), but never read
    // or write one key for another.
    await s.put(`${p}b`, bytes("plain"));
    await s.put(`${p}x/b`, bytes("plain x"));
    const odd = [`/${p}b`, `${p}x//b`, `${p}x/../b`, `/${p}x/../../b`];
    const stored: string[] = [];
    try {
      for (const key of odd) {
        let accepted = true;
        try {
          await s.put(key, bytes(`odd ${key}`));
        } catch (error) {
          assert.ok(error instanceof InvalidInputError, `${key}: ${String(error)}`);
          assert.ok(error.message.includes(JSON.stringify(key)), `${error.message} names ${key}`);
          accepted = false;
        }
        if (!accepted) {
          for (const read of [() => s.head(key), () => s.get(key)]) {
            await assertRejects(read, InvalidInputError, JSON.stringify(key));
          }
          continue;
        }
        stored.push(key);
        assertEquals((await s.head(key))?.key, key);
        assertEquals(new TextDecoder().decode(await readBody(s, key)), `odd ${key}`);
      }
      if (stored.length > 0) {
        // A server-side copy reads the exact key too.
        await s.copy(stored[0]!, `${p}copied`);
        assertEquals(new TextDecoder().decode(await readBody(s, `${p}copied`)), `odd ${stored[0]}`);
        await s.delete([`${p}copied`]);
      }
      assertEquals(new TextDecoder().decode(await readBody(s, `${p}b`)), "plain");
      assertEquals(new TextDecoder().decode(await readBody(s, `${p}x/b`)), "plain x");
      assertEquals(
        await listKeys(s, `/${p}`),
        stored.filter((k) => k.startsWith(`/${p}`)).sort(compareUtf8Bytes),
      );
      assertEquals(
        await listKeys(s, p),
        [`${p}b`, `${p}x/b`, ...stored.filter((k) => k.startsWith(p))].sort(compareUtf8Bytes),
      );
      if (stored.length > 0) {
        await s.delete(stored);
        for (const key of stored) assertEquals(await s.head(key), undefined, key);
      }
      assertEquals((await s.head(`${p}b`))?.etag, md5Hex("plain"), "deleting them kept the others");
    } finally {
      // `/${p}...` is outside the case's prefix, so the runner would not remove it.
      const outside = stored.filter((k) => !k.startsWith(p));
      if (outside.length > 0) await s.delete(outside).catch(() => {});
    }
  },
);

c("md5 option: mismatch throws IntegrityError and stores nothing", async (s, p) => {
  await assertRejects(
    () => s.put(`${p}bad`, bytes("payload"), { md5: md5Hex("something else") }),
    IntegrityError,
  );
  assertEquals(await s.head(`${p}bad`), undefined);
  const ok = await s.put(`${p}good`, bytes("payload"), { md5: md5Hex("payload") });
  assertEquals(ok.etag, md5Hex("payload"));
});

c("progress is reported up to the body size", async (s, p) => {
  const seen: number[] = [];
  const chunks = [randomBytes(1000), randomBytes(2000), randomBytes(500)];
  await s.put(`${p}progress`, streamOf(chunks), { onProgress: (n) => seen.push(n) });
  assert(seen.length > 0, "onProgress was called");
  assertEquals(seen.at(-1), 3500);
  assert(seen.every((n, i) => i === 0 || n >= (seen[i - 1] as number)), `monotonic: ${seen}`);
});

c("an aborted put stores nothing", async (s, p) => {
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assertRejects(() => s.put(`${p}aborted`, bytes("x"), { signal: controller.signal }));
  assertEquals(await s.head(`${p}aborted`), undefined);
});

c("an aborted copy rejects with the signal's reason and copies nothing", async (s, p) => {
  await s.put(`${p}src`, bytes("x"));
  const controller = new AbortController();
  const reason = new Error("stop");
  controller.abort(reason);
  const copy = s.copy(`${p}src`, `${p}copied`, { signal: controller.signal });
  assert((await copy.then(() => undefined, (e) => e)) === reason, "rejected with the reason");
  assertEquals(await s.head(`${p}copied`), undefined);
});

c("a cancelled body releases its resources", async (s, p) => {
  await s.put(`${p}big`, randomBytes(2 * 1024 * 1024));
  const { body } = await s.get(`${p}big`);
  const reader = body.getReader();
  const first = await reader.read();
  assert(!first.done && first.value.length > 0);
  await reader.cancel();
});

c("a key can be an object and a prefix of other keys", async (s, p) => {
  await s.put(`${p}n`, bytes("file"));
  await s.put(`${p}n/child`, bytes("child"));
  assertEquals(await listKeys(s, p), [`${p}n`, `${p}n/child`]);
  assertEquals(new TextDecoder().decode(await readBody(s, `${p}n`)), "file");
}, (o) => o.nestedObjectKeys ?? true);

// ---- Running them -----------------------------------------------------------

c(
  "listings carry size, ETag and lastModified, so change detection needs no head",
  async (s, p) => {
    const a = await s.put(`${p}l/a.bin`, randomBytes(1000));
    const b = await s.put(`${p}l/b.txt`, bytes("bee"));
    const listed = await listInfos(s, `${p}l/`);
    assertEquals(listed.map((i) => [i.key, i.size, i.etag]), [
      [`${p}l/a.bin`, 1000, a.etag],
      [`${p}l/b.txt`, 3, b.etag],
    ]);
    for (const i of listed) {
      assert(i.lastModified instanceof Date && !Number.isNaN(i.lastModified.getTime()));
    }
    // Without ETags a store may leave them unknown (""), never wrong.
    const cheap: ObjectInfo[] = [];
    for await (const i of s.list(`${p}l/`, { etags: false })) cheap.push(i);
    assertEquals(cheap.map((i) => [i.key, i.size]), [[`${p}l/a.bin`, 1000], [`${p}l/b.txt`, 3]]);
    assert(cheap[0]?.etag === "" || cheap[0]?.etag === a.etag, `etag ${cheap[0]?.etag}`);
    assert(cheap[1]?.etag === "" || cheap[1]?.etag === b.etag, `etag ${cheap[1]?.etag}`);
  },
);

c("delete with ifMatch removes only the expected version", async (s, p) => {
  const v1 = await s.put(`${p}cd`, bytes("v1"));
  await assertRejects(
    () => s.delete([`${p}cd`], { ifMatch: md5Hex("other") }),
    PreconditionFailedError,
    `${p}cd`,
  );
  assertEquals((await s.head(`${p}cd`))?.etag, v1.etag, "a failed condition deletes nothing");
  await s.delete([`${p}cd`], { ifMatch: v1.etag });
  assertEquals(await s.head(`${p}cd`), undefined);
  // Missing keys are not an error, as for an unconditional delete (and on S3).
  await s.delete([`${p}cd`], { ifMatch: v1.etag });
  await assertRejects(
    () => s.delete([`${p}x`, `${p}y`], { ifMatch: v1.etag }),
    InvalidInputError,
    "one key",
  );
});

c("conditional puts from streams: ifNoneMatch and ifMatch", async (s, p) => {
  const first = await s.put(`${p}sc`, streamOf([bytes("one")]), { ifNoneMatch: "*" });
  await assertRejects(
    () => s.put(`${p}sc`, streamOf([bytes("two")]), { ifNoneMatch: "*" }),
    PreconditionFailedError,
  );
  await assertRejects(
    () => s.put(`${p}sc`, streamOf([bytes("two")]), { ifMatch: md5Hex("nope") }),
    PreconditionFailedError,
  );
  const second = await s.put(`${p}sc`, streamOf([bytes("two")]), { ifMatch: first.etag });
  assertEquals(second.etag, md5Hex("two"));
  assertEquals(new TextDecoder().decode(await readBody(s, `${p}sc`)), "two");
});

c(
  "streamed put of unknown size keeps metadata and content type; copy keeps them",
  async (s, p) => {
    const data = randomBytes(6 * 1024 * 1024 + 12345);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += 64 * 1024) chunks.push(data.slice(i, i + 64 * 1024));
    const metadata = { owner: "cache-service", "vc-id": "abc" };
    const contentType = "application/x-test";
    const { etag } = await s.put(`${p}big/stream.bin`, streamOf(chunks), {
      metadata,
      contentType,
    });
    const info = await s.head(`${p}big/stream.bin`);
    assertEquals(info?.size, data.length);
    assertEquals(info?.etag, etag);
    assertEquals(info?.metadata, metadata);
    assertEquals(info?.contentType, contentType);
    const got = await s.get(`${p}big/stream.bin`);
    assertEquals(got.info.metadata, metadata);
    assertEquals(got.info.contentType, contentType);
    assertEquals(
      md5Hex(new Uint8Array(await new Response(got.body).arrayBuffer())),
      md5Hex(data),
    );
    await s.copy(`${p}big/stream.bin`, `${p}big/copy.bin`);
    const copied = await s.get(`${p}big/copy.bin`);
    assertEquals(copied.info.metadata, metadata);
    assertEquals(copied.info.contentType, contentType);
    assertEquals(copied.info.size, data.length);
    assertEquals(
      md5Hex(new Uint8Array(await new Response(copied.body).arrayBuffer())),
      md5Hex(data),
    );
  },
);

/**
 * Every case of the contract, in order. Add a case here (through `c`) and it
 * runs against every store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STORE_CONTRACT_CASES } from "./store_contract.ts";
 * assert(STORE_CONTRACT_CASES.some((c) => c.name.startsWith("ifMatch compare-and-swap")));
 * ```
 */
export const STORE_CONTRACT_CASES: readonly StoreContractCase[] = cases;

async function runCase(
  testCase: StoreContractCase,
  makeStore: () => Promise<StoreUnderTest>,
  options: StoreContractOptions,
): Promise<void> {
  const { store, cleanup } = await makeStore();
  const prefix = `contract-${crypto.randomUUID().slice(0, 8)}/`;
  try {
    await testCase.run(store, prefix, options);
  } finally {
    try {
      await store.delete(await listKeys(store, prefix));
    } finally {
      await cleanup();
    }
  }
}

function applicable(options: StoreContractOptions): StoreContractCase[] {
  return cases.filter((c) => c.applies === undefined || c.applies(options));
}

/**
 * Registers the contract as tests, one per case, named `<name>: <case>`.
 * Call it at the top level of a test file; `makeStore` runs once per case.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { storeContract } from "./store_contract.ts";
 * // In a test file: storeContract("MyStore", makeStore). Here the cases are
 * // collected instead of registered with Deno.test, and two of them run.
 * const registered: [string, () => Promise<void>][] = [];
 * storeContract("MemoryStore", () => {
 *   const store = new MemoryStore();
 *   return Promise.resolve({ store, cleanup: () => store.close() });
 * }, { test: (name, fn) => registered.push([name, fn]) });
 * assert(registered.length > 20 && registered[0]![0].startsWith("MemoryStore: "));
 * for (const [, fn] of registered.slice(0, 2)) await fn();
 * ```
 */
export function storeContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  options: StoreContractOptions = {},
): void {
  const register = options.test ?? ((title, fn) => Deno.test(title, fn));
  for (const testCase of applicable(options)) {
    register(`${name}: ${testCase.name}`, () => runCase(testCase, makeStore, options));
  }
}

/**
 * Runs every case against stores from `makeStore`, one after another, and
 * throws an `AggregateError` naming each failed case (its `errors` are the
 * failures, with the case name in each message).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import type { PutResult } from "../store/types.ts";
 * import { checkStore } from "./store_contract.ts";
 * await checkStore(() => {
 *   const store = new MemoryStore();
 *   return Promise.resolve({ store, cleanup: () => store.close() });
 * });
 * // A store that breaks the contract fails, naming each case it broke.
 * class NoCopyStore extends MemoryStore {
 *   override copy(): Promise<PutResult> {
 *     return Promise.reject(new Error("copy is not supported"));
 *   }
 * }
 * await assert.rejects(
 *   checkStore(() => {
 *     const store = new NoCopyStore();
 *     return Promise.resolve({ store, cleanup: () => store.close() });
 *   }),
 *   (e) => e instanceof AggregateError && e.errors.length > 0,
 * );
 * ```
 */
export async function checkStore(
  makeStore: () => Promise<StoreUnderTest>,
  options: StoreContractOptions = {},
): Promise<void> {
  const failures: Error[] = [];
  for (const testCase of applicable(options)) {
    try {
      await runCase(testCase, makeStore, options);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      failures.push(new Error(`${testCase.name}: ${reason}`, { cause: e }));
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(
      failures,
      `the store breaks ${failures.length} contract case(s):\n` +
        failures.map((f) => `- ${f.message}`).join("\n"),
    );
  }
}

/**
 * All keys below `prefix`, in listing order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory.ts";
 * import { listKeys } from "./store_contract.ts";
 * const store = new MemoryStore();
 * await store.put("p/b", new Uint8Array());
 * await store.put("p/a", new Uint8Array());
 * assert.deepEqual(await listKeys(store, "p/"), ["p/a", "p/b"]);
 * ```
 */
export async function listKeys(
  store: ObjectStore,
  prefix: string,
  startAfter?: string,
): Promise<string[]> {
  requireStore("listKeys(): the store", store);
  return (await listInfos(store, prefix, startAfter)).map((i) => i.key);
}

async function listInfos(
  store: ObjectStore,
  prefix: string,
  startAfter?: string,
): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix, startAfter === undefined ? {} : { startAfter })) {
    out.push(info);
  }
  return out;
}

async function readBody(store: ObjectStore, key: string): Promise<Uint8Array> {
  const { body } = await store.get(key);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks);
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

/**
 * S3 order, computed independently of the stores' own (`src/walk.ts`):
 * compare UTF-8 encodings bytewise.
 */
function compareUtf8Bytes(a: string, b: string): number {
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
