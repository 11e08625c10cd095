/**
 * A revalidation whose HEAD the store answered with a new version, and whose
 * download of that version then failed for good (a proxy that cuts bodies
 * short every time, a connection reset on each GET): the copy is served, as
 * it should be, but the warning said `cannot reach the store to revalidate`,
 * which sent users checking the network and the endpoint, when the store had
 * just answered. It now says that the new version could not be downloaded.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { OfflineError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a new version whose download fails is named so, not as an unreachable store", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "old");
    const path = await make().cache("s3://b/k.txt");
    await s3.putObject("b", "k.txt", "new!");
    // The HEAD answers; every GET of the new version is cut short.
    s3.failNext(1000, "truncate", (t) => t.op === "GetObject");
    const warnings: string[] = [];
    const cache = make({ timeout: 0, warn: (m) => warnings.push(m) });
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertEquals(await Deno.readTextFile(path), "old");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    const warning = warnings[0]!;
    assertStringIncludes(warning, "cannot download the new version the store has of s3://b/k.txt");
    assertStringIncludes(warning, `serving the cached copy at ${path}`);
    assert(!warning.includes("cannot reach the store"), warning);

    const e = await assertRejects(
      () => make({ timeout: 0, onUnreachable: "fail" }).cache("s3://b/k.txt"),
      OfflineError,
    );
    assertStringIncludes(
      e.message,
      "cannot download the new version the store has of s3://b/k.txt",
    );
    assertEquals(await Deno.readTextFile(path), "old");
  }, { maxAttempts: 2 });
});

Deno.test("a store that does not answer the HEAD is still called unreachable", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "old");
    const path = await make().cache("s3://b/k.txt");
    await s3.stop(); // connection refused: no answer at all
    const warnings: string[] = [];
    assertEquals(
      await make({ timeout: 0, warn: (m) => warnings.push(m) }).cache("s3://b/k.txt"),
      path,
    );
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "cannot reach the store to revalidate s3://b/k.txt");
  }, { maxAttempts: 1 });
});
