/**
 * A download of a locked (SHA-256 pinned) version whose bytes were damaged
 * on the way (a flaky link or proxy: every attempt a different SHA-256) was
 * reported as "the object in the store was replaced or corrupted", the
 * message for a store that holds other bytes than were published: a user
 * went looking for who replaced the object. When the store states the
 * content's MD5 (a plain ETag, or `vc-md5`), the bytes that failed the pin
 * are checked against it too, after the failure only: bytes that match
 * neither were damaged on the way (the store's copy may be fine; try
 * again), bytes that match the store's MD5 are what the store holds now
 * (replaced). Either way nothing is kept.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { refusedPinnedDownload } from "./pinned_download.ts";
import { downloadToFile } from "../src/store/download.ts";
import { md5Hex, sha256Hex } from "../src/hash.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { testS3Store } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

const SHAPES = [
  { name: "small, inline", size: 100_000, parallelThreshold: Infinity },
  { name: "parallel", size: 3 * MiB + 7, parallelThreshold: MiB },
];

async function inDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-pinned-damage-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const shape of SHAPES) {
  Deno.test(`pinned download, ${shape.name}: bytes damaged on the way are said to be, not a replaced object`, async () => {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    await using store = testS3Store(s3, "b", { maxAttempts: 1 });
    const data = randomBytes(shape.size, 11);
    await s3.putObject("b", "k", data);
    // A byte flipped in every answer, a different one each time (a flaky link).
    s3.setFaults({ corruptRate: 1 });
    await inDir(async (dir) => {
      const { error: e, pin } = await refusedPinnedDownload(store, `${dir}/out`, data, {
        parallelThreshold: shape.parallelThreshold,
      });
      assertStringIncludes(e.message, `SHA-256 ${pin.sha256} is pinned`);
      assertStringIncludes(e.message, "damaged on the way");
      assertStringIncludes(e.message, "store's own MD5");
      assertEquals(e.message.includes("was replaced"), false, e.message);
      assertEquals(await Deno.stat(`${dir}/out`).catch(() => "absent"), "absent");
      assertEquals(await tempFiles(dir), []);
    });
  });

  Deno.test(`pinned download, ${shape.name}: an object replaced in the store is still said to be`, async () => {
    await inDir(async (dir) => {
      const store = new FaultStore();
      const published = randomBytes(shape.size, 12);
      store.set("k", randomBytes(shape.size, 13), { etag: "md5" }); // same size, other bytes
      const { error: e } = await refusedPinnedDownload(store, `${dir}/out`, published, {
        parallelThreshold: shape.parallelThreshold,
      });
      assertStringIncludes(e.message, "the object in the store was replaced or corrupted");
      assertEquals(e.message.includes("damaged on the way"), false, e.message);
      assertEquals(await tempFiles(dir), []);
    });
  });
}

/**
 * A locked download (its lock entry named) whose first answer had a byte
 * flipped on the way: it matches neither the pin nor the store's own MD5,
 * so it is tried again, and the second, intact answer is kept. Only bytes
 * that match the store's MD5 (what it holds) are not tried again.
 */
Deno.test("locked download damaged on the way once: tried again and kept", async () => {
  await inDir(async (dir) => {
    const store = new FaultStore();
    const data = randomBytes(100_000, 14);
    store.set("k", data, { etag: "md5" });
    store.fail("corrupt", 1);
    const integrity = {
      size: data.length,
      sha256: sha256Hex(data),
      label: "/k@1.0.0",
      lockedIn: { file: `${dir}/assets.lock.json`, entry: "/k@1.0.0" },
    };
    await downloadToFile(store, "k", `${dir}/out`, { integrity, attempts: 3 });
    assertEquals(store.counts.get, 2);
    assertEquals(sha256Hex(await Deno.readFile(`${dir}/out`)), integrity.sha256);
  });
});

/**
 * The same for an object whose store states no MD5 of its content (a
 * multipart ETag without `vc-md5`; an SSE-KMS ETag, which is no MD5): its
 * damaged bytes cannot be told from what the store holds, so they are not
 * taken for it (said to match the store's MD5, and not tried again).
 */
for (
  const [name, kms, etag] of [
    ["a multipart ETag", false, { partSize: 40_000 }],
    ["an SSE-KMS ETag", true, { explicit: md5Hex("not the content") }],
  ] as const
) {
  Deno.test(`locked download of ${name} without vc-md5, damaged on the way once: tried again and kept`, async () => {
    await inDir(async (dir) => {
      const store = new FaultStore();
      if (kms) {
        // What the S3 store says of such an object (x-amz-server-side-encryption: aws:kms).
        const get = store.get.bind(store);
        store.get = async (key, options) => {
          const got = await get(key, options);
          got.info.opaqueEtag = true;
          return got;
        };
      }
      const data = randomBytes(100_000, 15);
      store.set("k", data, { etag });
      store.fail("corrupt", 1);
      const integrity = {
        size: data.length,
        sha256: sha256Hex(data),
        label: "/k@1.0.0",
        lockedIn: { file: `${dir}/assets.lock.json`, entry: "/k@1.0.0" },
      };
      await downloadToFile(store, "k", `${dir}/out`, { integrity, attempts: 3 });
      assertEquals(store.counts.get, 2);
      assertEquals(sha256Hex(await Deno.readFile(`${dir}/out`)), integrity.sha256);
    });
  });
}
