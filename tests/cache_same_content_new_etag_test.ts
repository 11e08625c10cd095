/**
 * An object whose ETag changed while its content did not (a bucket moved to
 * SSE-KMS, whose ETags are no MD5; the same file uploaded again in parts)
 * was downloaded again in full at its next revalidation, though the store's
 * answer states the content's MD5 (its `vc-md5`, or a plain ETag) and it is
 * the MD5 recorded for the cached copy: a re-encrypted bucket of large files
 * cost every cache one download of each. Now the copy takes the new ETag
 * and is served, with no GET; `ls --check-remote` says it is current. A
 * stated MD5 that differs still downloads the new version.
 */
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const MD5_HELLO = "5d41402abc4b2a76b9719d911017c592";
const URI = "s3://b/k.txt";

Deno.test("revalidation: a new ETag of the same content (SSE-KMS, vc-md5) keeps the copy, no GET", async () => {
  await withS3Cache(async (s3, make) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    await s3.putObject("b", "k.txt", "hello");
    const cache = make({ clock, timeout: 60 });
    const path = await cache.cache(URI);
    const before = (await Deno.lstat(path)).mtime;
    // The bucket's objects are copied over themselves with SSE-KMS: another
    // ETag (no MD5), the same bytes, and their vc-md5 kept.
    const { etag } = await s3.putObject("b", "k.txt", "hello", {
      serverSideEncryption: "aws:kms",
      metadata: { "vc-md5": MD5_HELLO },
    });
    assertEquals(etag === MD5_HELLO, false);
    const listed = await cache.ls({ checkRemote: true });
    assertEquals(listed[0]?.outdated, false, "ls --check-remote: the same content is current");
    await clock.advance(61_000);
    s3.resetStats();
    assertEquals(await cache.cache(URI), path);
    assertEquals(s3.stats.GetObject, 0, "not downloaded again");
    assertEquals(s3.stats.HeadObject, 1);
    assertEquals(await Deno.readTextFile(path), "hello");
    assertEquals((await Deno.lstat(path)).mtime, before);
    // Recorded with the new ETag: the next revalidation is a plain match,
    // also for another process (cache).
    const [entry] = await cache.ls();
    assertEquals(entry?.etag, etag);
    await clock.advance(61_000);
    s3.resetStats();
    assertEquals(await make({ clock, timeout: 60 }).cache(URI), path);
    assertEquals(s3.stats.GetObject, 0);
    // `vc cache verify` still finds the copy intact (by its MD5).
    const verified = await cache.verify();
    assertEquals([verified.ok, verified.corrupt], [1, []]);
  });
});

Deno.test("revalidation: a new ETag whose stated MD5 differs downloads the new version", async () => {
  await withS3Cache(async (s3, make) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    await s3.putObject("b", "k.txt", "hello");
    const cache = make({ clock, timeout: 60 });
    const path = await cache.cache(URI);
    await s3.putObject("b", "k.txt", "jello", {
      serverSideEncryption: "aws:kms",
      metadata: { "vc-md5": "c2a2e3e6a0ec5d0f5e6b0e9e4b4c7c1b" },
    });
    // The stated MD5 is not of "jello": the download is refused, the copy kept.
    await clock.advance(61_000);
    await cache.cache(URI).catch(() => {});
    assertEquals(await Deno.readTextFile(path), "hello");
    await s3.putObject("b", "k.txt", "jello", { serverSideEncryption: "aws:kms" });
    await clock.advance(61_000);
    s3.resetStats();
    assertEquals(await cache.cache(URI), path);
    assertEquals(await Deno.readTextFile(path), "jello");
    assertEquals(s3.stats.GetObject, 1);
  });
});
