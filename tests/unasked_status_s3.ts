/**
 * The one check of an S3 answer that no request asked for (a 304 to a read
 * with no If-None-Match, a 412 to one with no precondition): such an answer
 * comes from a proxy or gateway on the way, not from the store, so a cached
 * copy being revalidated is served with a warning, and a cold miss says what
 * came and from where.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { answeringS3, cacheOverEndpoint, withTempDir } from "./versioned_helpers.ts";

const BODY = "good content";

/** The ETag of the object cached first (a 304 carries it back). */
export const CACHED_ETAG = `"${md5Hex(BODY)}"`;

/** What the endpoint turns to answering, and what vc must say of it. */
export interface UnaskedAnswer {
  /** Every request's answer once the first copy is cached. */
  answer: () => Response;
  /** Words the revalidation's warning must hold. */
  warningSays: string[];
  /** Words the cold miss's error must hold (besides the endpoint's URL). */
  errorSays: string[];
  /** An extra check of the cold miss's error. */
  errorIsNot?: (e: StoreError) => void;
}

/**
 * Caches `s3://b/k.txt`, turns the endpoint to `answer`, and checks that the
 * revalidation serves the cached copy with the warning and a cold miss is a
 * {@linkcode StoreError} saying so.
 */
export async function checkUnaskedAnswer(unasked: UnaskedAnswer): Promise<void> {
  let turned = false;
  await using s3 = answeringS3((req) => {
    if (turned) return unasked.answer();
    if (new URL(req.url).pathname !== "/b/k.txt") {
      return new Response("<Error><Code>NoSuchKey</Code></Error>", {
        status: 404,
        headers: { "content-type": "application/xml" },
      });
    }
    return new Response(req.method === "HEAD" ? null : BODY, {
      headers: { etag: CACHED_ETAG, "content-length": String(BODY.length) },
    });
  });
  await withTempDir(async (cacheDir) => {
    const clock = new ManualClock(Date.now());
    const warnings: string[] = [];
    await using cache = cacheOverEndpoint(cacheDir, s3.url, {
      clock,
      timeout: 60,
      warn: (m) => warnings.push(m),
    });
    const path = await cache.cache("s3://b/k.txt");
    turned = true;
    clock.advance(61_000);
    // Revalidation: the good copy is served, with a warning naming the answer.
    assertEquals(await cache.cache("s3://b/k.txt"), path);
    assertEquals(await Deno.readTextFile(path), BODY);
    assert(
      warnings.some((w) => unasked.warningSays.every((words) => w.includes(words))),
      warnings.join("\n"),
    );
    // A cold miss: what came and from where, not the store's meaning of it.
    const e = await assertRejects(() => cache.cache("s3://b/other.txt"), StoreError);
    unasked.errorIsNot?.(e);
    for (const words of [...unasked.errorSays, s3.url]) assertStringIncludes(e.message, words);
  }, "vc-unasked-answer-");
}
