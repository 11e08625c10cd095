/**
 * One rule for an empty segment (`//`) in a store prefix: refused, in the
 * same words, wherever a prefix is given. `vc mirror` collapsed
 * `s3://b/a//b` and `s3://b//data` into `a/b/` and `data/` (mirroring
 * another prefix than the one typed, silently), `openStore` kept `a//b` and
 * took `s3://b//data` for `data`, and `--bucket` refused it in words of its
 * own. A key may still hold `//` (`vc cache get s3://b/a//b.csv`).
 */
import { join } from "node:path";
import { normalizeBucket, resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { normalizePrefix, normalizeStoreUri } from "../src/mirror/keys.ts";
import { openStore } from "../src/store/open.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { parseUri } from "../src/uri.ts";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

const s3 = { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const WORDS = "has an empty segment";

Deno.test("an empty segment in a store prefix is refused the same way everywhere", async () => {
  for (const [uri, meant] of [["s3://b/a//b", '"a/b"'], ["s3://b//data", '"data"']] as const) {
    for (
      const e of [
        assertThrows(() => normalizeStoreUri(uri), InvalidInputError),
        await assertRejects(() => openStore(uri, { s3 }), InvalidInputError),
        assertThrows(() => normalizeBucket(uri, "--bucket"), InvalidInputError),
      ]
    ) {
      assertStringIncludes(e.message, WORDS);
      assertStringIncludes(e.message, "in s3://b");
      assertStringIncludes(e.message, meant);
    }
  }
  assertStringIncludes(
    assertThrows(() => normalizePrefix("backup//v1"), InvalidInputError).message,
    `prefix "backup//v1" ${WORDS}`,
  );
  assertStringIncludes(
    assertThrows(() => new S3Store({ ...s3, bucket: "b", prefix: "a//b" }), InvalidInputError)
      .message,
    WORDS,
  );
  assertStringIncludes(
    assertThrows(
      () => resolveSettings({ env: { VC_IMMUTABLE_BUCKETS: "s3://b/a//b", HOME: "/nowhere" } }),
      InvalidInputError,
    ).message,
    `VC_IMMUTABLE_BUCKETS: prefix "a//b" in s3://b ${WORDS}`,
  );
  // One leading (a flag's) and one trailing slash are no empty segment.
  assertEquals(normalizePrefix("/backup/v1/"), "backup/v1/");
  assertEquals(normalizeStoreUri("s3://b/data/"), "s3://b/data/");
  assertEquals(normalizeBucket("s3://b/data/", "--bucket"), "s3://b/data");
  assertEquals(normalizeBucket("s3://b/", "--bucket"), "s3://b");
  const store = await openStore("s3://b/data/", { s3 });
  assertEquals(store.url, "s3://b/data");
  await store.close();
  // A key (not a prefix) keeps its `//`: S3 keys are exact.
  assertEquals(parseUri("s3://b/a//b.csv"), { scheme: "s3", bucket: "b", key: "a//b.csv" });
});

Deno.test("vc mirror refuses a target prefix with // before writing anything", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using w = await tempDir();
  const open = (uri: string) => openStore(uri, { s3: { ...s3, endpoint: fake.url } });
  const src = join(w.dir, "src");
  await writeTree(src, { "f.txt": "f" });
  for (
    const [target, targetPrefix] of [
      ["s3://b/a//b", undefined],
      ["s3://b//data", undefined],
      ["s3://b", "up//load"],
    ] as const
  ) {
    await assertRejects(
      () =>
        mirror({
          sources: [src],
          target,
          ...(targetPrefix === undefined ? {} : { targetPrefix }),
          statePath: join(w.dir, "s.db"),
          openStore: open,
        }),
      InvalidInputError,
      WORDS,
    );
  }
  const bucket = await open("s3://b");
  try {
    assertEquals(Object.keys(await storeContents(bucket)), []);
  } finally {
    await bucket.close();
  }
});
