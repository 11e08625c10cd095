/**
 * vc's own small objects (a repository's marker, a cache entry's metadata,
 * an identity's usage) answered with bytes that do not match their MD5 ETag:
 * a byte flipped by a proxy or a flaky link, the length and headers intact.
 * The read fails naming the object and the mismatch; before, a flipped byte
 * read as a marker naming another catalog (`SQLite catalog …/bat.sqlite
 * does not exist`), or as JSON broken "at line 7, column 17", which sends
 * the user to repair a marker that is whole.
 */
import { readMarker } from "../src/repo/marker.ts";
import { readSmallObjectText } from "../src/store/small_object.ts";
import { StoreError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

const MARKER = JSON.stringify({
  format: "vc-repo",
  version: 1,
  catalog: { kind: "sqlite", path: "/srv/cat.sqlite", host: "vm" },
  contentPrefix: "content/",
});

Deno.test("readMarker: a marker whose bytes were flipped on the way fails naming it; the next read works", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", ".vc-repo.json", MARKER);
  const store = testS3Store(s3, "b", { maxAttempts: 1 });
  try {
    s3.failNext(1, "corrupt", (t) => t.op === "GetObject");
    const error = await assertRejects(() => readMarker(store), StoreError);
    assert(
      error.message.startsWith(
        "s3://b/.vc-repo.json: the store's answer does not match its ETag (MD5 " +
          md5Hex(MARKER),
      ),
      error.message,
    );
    assertEquals((await readMarker(store)).catalog, {
      kind: "sqlite",
      path: "/srv/cat.sqlite",
      host: "vm",
    });
  } finally {
    await store.close();
  }
});

Deno.test("readSmallObjectText: a flip that still parses (another catalog path) is refused, streamed or whole", async () => {
  const good = new TextEncoder().encode(MARKER);
  const bad = good.slice();
  const at = MARKER.indexOf("cat.sqlite");
  bad[at] = good[at]! ^ 1; // "bat.sqlite": valid JSON, another file
  const info = {
    key: ".vc-repo.json",
    size: bad.length,
    etag: `"${md5Hex(good)}"`,
    lastModified: new Date(0),
  };
  const whole = { info, body: new Blob([bad]).stream(), bytes: bad };
  const streamed = { info, body: new Blob([bad]).stream() };
  for (const got of [whole, streamed]) {
    await assertRejects(
      () => readSmallObjectText(got, "s3://b/.vc-repo.json"),
      StoreError,
      "s3://b/.vc-repo.json: the store's answer does not match its ETag",
    );
  }
});

Deno.test("readSmallObjectText: an ETag that is no MD5 of the bytes (SSE-KMS, multipart, coded) is not checked", async () => {
  const bytes = new TextEncoder().encode(MARKER);
  const base = { key: "k", size: bytes.length, lastModified: new Date(0) };
  const infos = [
    { ...base, etag: '"0cc175b9c0f1b6a831c399e269772661"', opaqueEtag: true },
    { ...base, etag: '"0cc175b9c0f1b6a831c399e269772661-2"' },
    { ...base, etag: '"0cc175b9c0f1b6a831c399e269772661"', contentEncoding: "gzip" },
    { ...base, etag: '"v1-opaque"' },
  ];
  for (const info of infos) {
    assertEquals(
      await readSmallObjectText({ info, body: new Blob([bytes]).stream() }, "k"),
      MARKER,
    );
  }
});
